package evaluation

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestRunEndToEnd runs the whole pipeline on in-process systems at a tiny scale: every file the
// run promises exists, plib-pku is measured or skipped with its reason, and the figures and
// tables are drawn from the files.
func TestRunEndToEnd(t *testing.T) {
	root := t.TempDir()
	var systems []System
	for _, s := range PaperSystems {
		if s.Backend == "gomap" || s.Backend == "plib-nopku" || s.Backend == "plib-pku" {
			systems = append(systems, s)
		}
	}
	var out bytes.Buffer
	c := Config{Name: "tiny", ResultsRoot: filepath.Join(root, "results"), PlotsRoot: filepath.Join(root, "plots"),
		Records: 3000, RecordsReason: "test", Mixes: PaperMixes, Systems: systems, Threads: []int{1, 2},
		Repetitions: 2, Duration: 50 * time.Millisecond, LoadThreads: 2,
		Latency: LatencyConfig{Backends: []string{"plib-pku", "plib-nopku", "gomap"}, Records: 500, Samples: 50,
			Pinned: []string{"plib-nopku", "gomap"}}, Out: &out}
	m, err := Run(context.Background(), c)
	if err != nil {
		t.Fatalf("Run: %v\n%s", err, out.String())
	}
	if m.Finished.IsZero() || m.Records.Chosen != 3000 || !m.Records.Scaled || len(m.Phases) != 3 || len(m.Latency.PinnedFiles) != 3 {
		t.Errorf("manifest: finished %v, records %+v, phases %+v", m.Finished, m.Records, m.Phases)
	}
	for _, sr := range m.Systems {
		switch {
		case sr.Skipped != "":
			if sr.ID != "plib-pku" || m.Env.PKU {
				t.Errorf("%s skipped: %s", sr.ID, sr.Skipped)
			}
		case sr.Points != 2*2*2 || sr.LoadRate <= 0:
			t.Errorf("%s: %d points, load rate %v; want 8 and a load", sr.ID, sr.Points, sr.LoadRate)
		}
	}
	dir := filepath.Join(c.ResultsRoot, "tiny")
	for _, f := range []string{ManifestFile, SummaryFile, ThroughputFile} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Error(err)
		}
	}
	runs, _ := filepath.Glob(filepath.Join(dir, ThroughputDir, "gomap", "ycsb-run-*.json"))
	loads, _ := filepath.Glob(filepath.Join(dir, ThroughputDir, "gomap", "ycsb-load-*.json"))
	latency, _ := filepath.Glob(filepath.Join(dir, LatencyDir, "latency-*.json"))
	figures, _ := filepath.Glob(filepath.Join(c.PlotsRoot, "tiny", "*.png"))
	if len(runs) != 8 || len(loads) != 1 || len(latency) != 1 || len(figures) != 2*2+6+2 {
		t.Errorf("files: %d runs, %d loads, %d latency tables, %d PNG figures; want 8, 1, 1, 12", len(runs), len(loads), len(latency), len(figures))
	}
	summary, _ := os.ReadFile(filepath.Join(dir, SummaryFile))
	points := "[ 16/16]" // gomap and plib-nopku; plib-pku only with PKU
	if m.Env.PKU {
		points = "[ 24/24]"
	}
	for _, want := range []string{"RECORD COUNT SCALED DOWN", points, "Throughput: each system's peak"} {
		if !strings.Contains(out.String()+string(summary), want) {
			t.Errorf("output and summary lack %q", want)
		}
	}

	// A second run of the same name replaces the first's files rather than adding to them.
	c.Systems, c.Mixes = systems[:1], PaperMixes[:1]
	if _, err := Run(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	runs, _ = filepath.Glob(filepath.Join(dir, ThroughputDir, "*", "ycsb-run-*.json"))
	if len(runs) != 2*2 {
		t.Errorf("after a smaller second run: %d run files, want 4", len(runs))
	}
}
