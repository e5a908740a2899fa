package harness_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"strings"
	"testing"

	"github.com/plibcached/plibcached/harness"
	"github.com/plibcached/plibcached/plib"
)

// smallLatency is a latency table small enough for a test.
func smallLatency(backends ...string) harness.LatencyOptions {
	return harness.LatencyOptions{Backends: backends, Records: 2000, LargeRecords: 200, Samples: 200, Counters: 50, ServerThreads: 2}
}

func TestLatencyTable(t *testing.T) {
	opts := smallLatency("memcached", "plib-pku", "no-such-backend", "memcached-unix", "gomap")
	opts.SpeedupOver = []string{"plib-pku", "gomap"}
	table, err := harness.MeasureLatency(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if got := table.Column("no-such-backend"); got == nil || !strings.Contains(got.Skipped, "not registered") {
		t.Fatalf("no-such-backend column = %+v, want skipped as not registered", got)
	}
	pkuErr := plib.PKUSupported()
	if got := table.Column("plib-pku"); (got.Skipped != "") != (pkuErr != nil) {
		t.Fatalf("plib-pku column skipped %q, but PKU support says %v", got.Skipped, pkuErr)
	}
	wantTarget := "plib-pku"
	if pkuErr != nil {
		wantTarget = "gomap"
	}
	for _, name := range []string{"memcached", "plib-pku", "memcached-unix", "gomap"} {
		col := table.Column(name)
		if col.Skipped != "" {
			t.Logf("%s skipped: %s", name, col.Skipped)
			continue
		}
		if len(col.Cells) != len(harness.LatencyOperations) {
			t.Fatalf("%s: %d cells, want %d", name, len(col.Cells), len(harness.LatencyOperations))
		}
		for _, c := range col.Cells {
			if c.Samples != 200 || c.MeanNs <= 0 || c.P99Ns < c.P50Ns || c.MaxNs < c.MinNs || c.Batch < 1 {
				t.Errorf("%s %s: implausible cell %+v", name, c.Op, c)
			}
		}
	}
	if table.Column("memcached").Skipped == "" {
		if table.SpeedupTarget != wantTarget || (pkuErr != nil) != strings.Contains(table.SpeedupNote, "plib-pku not measured") {
			t.Errorf("speedup target %q, note %q: want %s", table.SpeedupTarget, table.SpeedupNote, wantTarget)
		}
		for i, s := range table.Speedup {
			if s <= 0 {
				t.Errorf("no speedup for %s", table.Rows[i])
			}
		}
	}
	checkLatencyOutputs(t, table)
}

// checkLatencyOutputs renders the table every way and checks each carries every row and column.
func checkLatencyOutputs(t *testing.T, table *harness.LatencyTable) {
	t.Helper()
	var text, md, csvOut bytes.Buffer
	if err := table.Render(&text); err != nil {
		t.Fatal(err)
	}
	if err := table.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	if err := table.WriteCSV(&csvOut); err != nil {
		t.Fatal(err)
	}
	for _, want := range append([]string{"Clock: time.Now()", "plib-pku (skipped)", "Speedup"}, harness.LatencyOperations...) {
		if !strings.Contains(text.String(), want) || !strings.Contains(md.String(), want) {
			t.Errorf("text or Markdown output lacks %q:\n%s", want, text.String())
		}
	}
	records, err := csv.NewReader(&csvOut).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if want := 1 + len(table.Rows)*len(table.Columns); len(records) != want {
		t.Errorf("CSV has %d records, want %d", len(records), want)
	}
	paths, err := harness.WriteLatencyFiles(t.TempDir(), table)
	if err != nil || len(paths) != 3 {
		t.Fatalf("WriteLatencyFiles: %v, %v", paths, err)
	}
	for _, p := range paths {
		if st, err := os.Stat(p); err != nil || st.Size() == 0 {
			t.Errorf("%s: %v", p, err)
		}
	}
}

func TestLatencySkipsMissingMemcached(t *testing.T) {
	opts := smallLatency("memcached", "gomap")
	opts.MemcachedBinary = "/nonexistent/memcached"
	opts.Samples = 20
	table, err := harness.MeasureLatency(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	if skipped := table.Column("memcached").Skipped; !strings.Contains(skipped, "apt-get install -y memcached") {
		t.Fatalf("memcached column skipped for %q, want the install hint", skipped)
	}
	if table.Column("gomap").Skipped != "" || !strings.Contains(table.SpeedupNote, "Speedup: n/a") {
		t.Fatalf("gomap %+v, note %q", table.Column("gomap"), table.SpeedupNote)
	}
}

func TestLatencyRejectsBadOptions(t *testing.T) {
	for _, opts := range []harness.LatencyOptions{
		{Records: -1},
		{Backends: []string{"gomap", "gomap"}},
		{SmallValue: 3},
	} {
		if _, err := harness.MeasureLatency(context.Background(), opts); err == nil {
			t.Errorf("MeasureLatency(%+v) succeeded", opts)
		}
	}
}
