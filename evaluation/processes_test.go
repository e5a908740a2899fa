package evaluation

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/plibcached/plibcached/harness"
)

// TestMain lets this test binary be the across-processes figure's client processes.
func TestMain(m *testing.M) {
	harness.RunChildIfAsked()
	os.Exit(m.Run())
}

func TestSplitPairs(t *testing.T) {
	got := splitPairs(SplitConfig{Threads: []int{1, 2, 4, 3}, Processes: []int{1, 2, 4}})
	want := [][2]int{{1, 1}, {2, 1}, {2, 2}, {4, 1}, {4, 2}, {4, 4}, {3, 1}}
	if len(got) != len(want) {
		t.Fatalf("splitPairs = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("splitPairs = %v, want %v", got, want)
		}
	}
}

// TestRunSplit runs the across-processes figure alone at a tiny scale for plib-nopku and LMDB:
// every (threads, processes) point has its merged result with the right process count, and the
// summary table and figures are drawn from the files.
func TestRunSplit(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	root := t.TempDir()
	var out bytes.Buffer
	c := Config{Name: "split", ResultsRoot: filepath.Join(root, "results"), PlotsRoot: filepath.Join(root, "plots"),
		Records: 2000, RecordsReason: "test", Mixes: PaperMixes[:1], Systems: PaperSystems[2:3], Threads: []int{1},
		Repetitions: 1, Duration: 150 * time.Millisecond, LoadThreads: 2,
		Latency: LatencyConfig{Backends: []string{"gomap"}, Records: 200, Samples: 20},
		Split:   SplitConfig{Systems: []System{PaperSystems[2], PeerSystems[2]}, Threads: []int{1, 2}, Processes: []int{1, 2}, Repetitions: 1},
		Out:     &out}
	m, err := Run(context.Background(), c)
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, out.String())
	}
	if m.Split == nil || len(m.Split.Systems) != 2 {
		t.Fatalf("manifest split: %+v", m.Split)
	}
	dir := filepath.Join(c.ResultsRoot, "split")
	ds, err := LoadDataset(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, sr := range m.Split.Systems {
		if sr.Skipped != "" {
			t.Logf("%s skipped: %s", sr.ID, sr.Skipped)
			continue
		}
		if sr.Points != 3 {
			t.Errorf("%s: %d points, want 3 (1 over 1, 2 over 1, 2 over 2)", sr.ID, sr.Points)
		}
		c, ok := splitCellAt(ds.SplitCells(), sr.ID, "readheavy", 2, 2)
		if !ok || c.Mean <= 0 || c.Runs != 1 {
			t.Errorf("%s: 2 threads over 2 processes: %+v, %v", sr.ID, c, ok)
		}
	}
	summary, _ := os.ReadFile(filepath.Join(dir, SummaryFile))
	if !strings.Contains(string(summary), "## Across processes") || !strings.Contains(string(summary), "| 2 over 2 |") {
		t.Errorf("summary lacks the across-processes table:\n%s", summary)
	}
	if _, err := os.Stat(filepath.Join(c.PlotsRoot, "split", "processes-readheavy-2t.png")); err != nil {
		t.Error(err)
	}
	if left, _ := filepath.Glob("/dev/shm/plibcached-split-*"); len(left) > 0 {
		t.Errorf("files left behind: %v", left)
	}
}

// TestPeerSystems: every system has its own id and colour, the peers are context lines, and the
// runs the Makefile starts measure them and the across-processes figure.
func TestPeerSystems(t *testing.T) {
	ids, colors := map[string]bool{}, map[int]bool{}
	for _, s := range AllSystems() {
		if ids[s.ID] || colors[s.Color] {
			t.Errorf("%s: id or colour %d repeated", s.ID, s.Color)
		}
		ids[s.ID], colors[s.Color] = true, true
	}
	for _, s := range PeerSystems {
		if !s.Context || s.Paper != "" || !strings.Contains(s.Title, "context") {
			t.Errorf("%s is not drawn as a context line: %+v", s.ID, s)
		}
	}
	for _, c := range []Config{Full(), Quick()} {
		found := map[string]bool{}
		for _, s := range c.Systems {
			found[s.ID] = true
		}
		for _, want := range []string{"redis", "redis-unix", "lmdb"} {
			if !found[want] {
				t.Errorf("%s run lacks %s", c.Name, want)
			}
		}
		if len(c.Split.Systems) == 0 || c.validate() != nil {
			t.Errorf("%s run: split %+v, validate %v", c.Name, c.Split, c.validate())
		}
	}
	for _, s := range SplitSystems {
		if !ids[s.ID] {
			t.Errorf("split system %s is not in AllSystems", s.ID)
		}
	}
}
