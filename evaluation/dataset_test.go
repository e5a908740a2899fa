package evaluation

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/plibcached/plibcached/harness"
)

// fakeRun writes one run result for system, as Run would.
func fakeRun(t *testing.T, dir, system, backend, workload string, threads int, opsPerSec float64, start time.Time) {
	t.Helper()
	r := &harness.Result{Phase: "run", Backend: backend, Workload: workload, Threads: threads, Processes: 1,
		Start: start, RuntimeMs: 1000, Operations: int64(opsPerSec), Throughput: opsPerSec,
		Properties: map[string]string{"recordcount": "1000"}}
	if _, _, err := harness.WriteResultFiles(filepath.Join(dir, ThroughputDir, system), r); err != nil {
		t.Fatal(err)
	}
}

// fakeDataset writes a small run: two systems, two mixes, threads 1 and 2, three runs each,
// a manifest with a skipped system, and a latency table with a skipped column.
func fakeDataset(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	n := 0
	for _, mix := range []string{"paper-readheavy", "paper-writeheavy"} {
		for _, threads := range []int{1, 2} {
			for rep, v := range []float64{90, 100, 110} {
				n++
				fakeRun(t, dir, "memcached-4t", "memcached", mix, threads, v*1e3*float64(threads), start.Add(time.Duration(n)*time.Second))
				fakeRun(t, dir, "plib-nopku", "plib-nopku", mix, threads, (1000+float64(rep))*1e3*float64(threads), start.Add(time.Duration(n)*time.Second+time.Millisecond))
			}
		}
	}
	m := &Manifest{Run: "fake", Started: start, Finished: start.Add(time.Hour), WallSeconds: 3600,
		Records: RecordPlan{Paper: PaperRecords, Chosen: 1000, Scaled: true, Reason: "a test"},
		Threads: []int{1, 2}, Repetitions: 3, DurationS: 1, Mixes: PaperMixes}
	for _, s := range PaperSystems {
		sr := SystemRun{System: s}
		switch s.ID {
		case "plib-pku":
			sr.Skipped = "no PKU here"
		case "memcached-4t", "plib-nopku":
		default:
			continue
		}
		m.Systems = append(m.Systems, sr)
	}
	if err := writeManifest(dir, m); err != nil {
		t.Fatal(err)
	}
	cell := func(us float64) []harness.LatencyCell {
		var cells []harness.LatencyCell
		for _, op := range harness.LatencyOperations {
			cells = append(cells, harness.LatencyCell{Op: op, MeanNs: us * 1e3})
		}
		return cells
	}
	table := &harness.LatencyTable{Rows: harness.LatencyOperations, Env: harness.Environment{Timestamp: start},
		Columns: []harness.LatencyColumn{{Backend: "memcached", Cells: cell(20)}, {Backend: "plib-pku", Skipped: "no PKU here"}, {Backend: "plib-nopku", Cells: cell(0.5)}},
		Speedup: []float64{40, 40, 40, 40, 40, 40}, SpeedupTarget: "plib-nopku"}
	if _, err := harness.WriteLatencyFiles(filepath.Join(dir, LatencyDir), table); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestDatasetCells(t *testing.T) {
	ds, err := LoadDataset(fakeDataset(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(ds.Runs) != 24 || ds.Latency == nil || ds.records() != 1000 {
		t.Fatalf("loaded %d runs, latency %v, records %d; want 24, a table, 1000", len(ds.Runs), ds.Latency != nil, ds.records())
	}
	cells := ds.Cells()
	if len(cells) != 8 || cells[0].System != "memcached-4t" || cells[0].Mix != "readheavy" || cells[0].Threads != 1 {
		t.Fatalf("cells %+v; want 8, legend order (memcached-4t first), mixes and threads ascending", cells)
	}
	c, ok := CellAt(cells, "memcached-4t", "writeheavy", 2)
	if !ok || c.Runs != 3 || c.Mean != 200 || c.Min != 180 || c.Max != 220 || math.Abs(c.StdDev-20) > 1e-9 {
		t.Errorf("memcached-4t writeheavy 2 threads: %+v; want mean 200, min 180, max 220, sd 20 over 3 runs", c)
	}
	if p, ok := Peak(cells, "plib-nopku", "readheavy"); !ok || p.Threads != 2 || p.Mean != 2002 {
		t.Errorf("peak %+v; want 2002 at 2 threads", p)
	}
	if _, ok := Peak(cells, "plib-pku", "readheavy"); ok {
		t.Error("a peak for a skipped system")
	}
}

func TestSummaryTables(t *testing.T) {
	ds, err := LoadDataset(fakeDataset(t))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := WriteSummary(&out, ds); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"SCALED DOWN from the paper's 40,000,000**: a test",
		"| plib-nopku | Modified Memcached, No Hodor | 2002.0 (2) | 2002.0 (2) |",
		"| plib-pku | Modified Memcached, with Hodor | not run | not run |",
		"plib-nopku, readheavy: 10.0× (2002.0 vs memcached-4t's 200.0 kops/s)",
		"| 2 | 200.0 ± 20.0 | 2002.0 ± 2.0 |",
		"| Get 128B | 20.0 | 0.500 | 40× | 13 | 0.67 | 0.64 | 19× |",
		"- throughput, plib-pku: no PKU here",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, out.String())
		}
	}
	dir := t.TempDir()
	paths, err := WriteTables(ds, dir)
	if err != nil || len(paths) != 2 {
		t.Fatalf("WriteTables: %v, %v", paths, err)
	}
	csv, _ := os.ReadFile(filepath.Join(dir, ThroughputFile))
	if lines := strings.Count(string(csv), "\n"); lines != 9 || !strings.Contains(string(csv), "memcached-4t,memcached,4,false,readheavy,1,3,100.000,10.000,90.000,110.000,1000") {
		t.Errorf("throughput.csv (%d lines):\n%s", lines, csv)
	}
}

func TestRenderPlotsFromFiles(t *testing.T) {
	ds, err := LoadDataset(fakeDataset(t))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	paths, err := RenderPlots(ds, dir)
	if err != nil {
		t.Fatal(err)
	}
	// Per mix a linear and a log figure, per operation one, and the overview; PNG and SVG each.
	if want := 2 * (2*2 + len(harness.LatencyOperations) + 1); len(paths) != want {
		t.Errorf("%d files, want %d: %q", len(paths), want, paths)
	}
	for _, name := range []string{"throughput-readheavy.png", "throughput-writeheavy-log.svg", "latency-get-128b.png", "latency-overview.svg"} {
		if st, err := os.Stat(filepath.Join(dir, name)); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", name, err)
		}
	}
	fig, ok := ThroughputFigure(ds, PaperMixes[0])
	if !ok || len(fig.Series) != 2 || fig.Series[1].Points[1].Low != 2000 || fig.Series[1].Points[1].High != 2004 || !strings.Contains(fig.Title, "1k records") {
		t.Errorf("read-heavy figure %+v", fig)
	}
	lat := LatencyFigure(ds, 0)
	if lat.Bars[1].System != "plib-pku" || lat.Bars[1].MeanUs != 0 || !strings.Contains(lat.Bars[1].Missing, "no PKU") {
		t.Errorf("latency figure marks the skipped column as %+v", lat.Bars[1])
	}
}

func TestLoadDatasetEmpty(t *testing.T) {
	if _, err := LoadDataset(t.TempDir()); !errors.Is(err, ErrNoResults) {
		t.Errorf("empty directory: err = %v, want ErrNoResults", err)
	}
}
