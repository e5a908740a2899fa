package evaluation

import (
	"encoding/csv"
	"io"
	"path/filepath"
	"strconv"

	"github.com/plibcached/plibcached/harness"
)

// Files WriteTables writes into a run's directory.
const (
	SummaryFile    = "summary.md"     // the run's tables in Markdown, beside the paper's figures
	ThroughputFile = "throughput.csv" // one row per system, mix and thread count
)

// WriteTables renders the dataset's tables into dir and returns their paths.
func WriteTables(ds *Dataset, dir string) ([]string, error) {
	summary := filepath.Join(dir, SummaryFile)
	if err := harness.WriteFile(summary, func(w io.Writer) error { return WriteSummary(w, ds) }); err != nil {
		return nil, err
	}
	cells := filepath.Join(dir, ThroughputFile)
	if err := harness.WriteFile(cells, func(w io.Writer) error { return writeCellsCSV(w, ds) }); err != nil {
		return nil, err
	}
	return []string{summary, cells}, nil
}

// writeCellsCSV writes every cell with the run's record count and environment.
func writeCellsCSV(w io.Writer, ds *Dataset) error {
	cw := csv.NewWriter(w)
	cw.Write([]string{"system", "backend", "server_threads", "context", "mix", "threads", "runs",
		"mean_kops", "stddev_kops", "min_kops", "max_kops", "records", "cores", "pku", "hostname"})
	systems := map[string]SystemRun{}
	for _, s := range ds.systems() {
		systems[s.ID] = s
	}
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', 3, 64) }
	cores, pku, host := "", "", ""
	if m := ds.Manifest; m != nil {
		cores, pku, host = strconv.Itoa(m.Env.Cores), strconv.FormatBool(m.Env.PKU), m.Env.Hostname
	}
	for _, c := range ds.Cells() {
		s := systems[c.System]
		cw.Write([]string{c.System, s.Backend, strconv.Itoa(s.ServerThreads), strconv.FormatBool(s.Context), c.Mix,
			strconv.Itoa(c.Threads), strconv.Itoa(c.Runs), f(c.Mean), f(c.StdDev), f(c.Min), f(c.Max),
			strconv.FormatInt(ds.records(), 10), cores, pku, host})
	}
	cw.Flush()
	return cw.Error()
}
