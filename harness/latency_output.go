package harness

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"
)

// Render prints the caption and the table as a box-drawn text table.
func (t *LatencyTable) Render(w io.Writer) error {
	for _, line := range t.Caption() {
		if _, err := fmt.Fprintln(w, line); err != nil {
			return err
		}
	}
	return t.renderWith(w, tablewriter.NewTable(w, tablewriter.WithHeaderAutoFormat(tw.Off), t.alignment()))
}

// alignment left-aligns the operation names and right-aligns the figures.
func (t *LatencyTable) alignment() tablewriter.Option {
	per := []tw.Align{tw.AlignLeft}
	for range len(t.Columns) + 1 {
		per = append(per, tw.AlignRight)
	}
	return tablewriter.WithRowAlignmentConfig(tw.CellAlignment{Global: tw.AlignRight, PerColumn: per})
}

// WriteMarkdown writes the caption as paragraphs and the table in Markdown.
func (t *LatencyTable) WriteMarkdown(w io.Writer) error {
	if _, err := fmt.Fprintf(w, "# Per-operation latency\n\n"); err != nil {
		return err
	}
	for _, line := range t.Caption() {
		if _, err := fmt.Fprintf(w, "%s\n\n", line); err != nil {
			return err
		}
	}
	if _, err := fmt.Fprintf(w, "Environment: %s; %d cores; %s; %s; %s; PKU %v; commit %s.\n\n", t.Env.CPUModel, t.Env.Cores,
		t.Env.Kernel, t.Env.GoVersion, orNone(t.Env.MemcachedVersion), t.Env.PKU, orNone(t.Env.GitCommit)); err != nil {
		return err
	}
	return t.renderWith(w, tablewriter.NewTable(w, tablewriter.WithRenderer(renderer.NewMarkdown()),
		tablewriter.WithHeaderAutoFormat(tw.Off), t.alignment()))
}

// renderWith fills table with the header and rows and renders it.
func (t *LatencyTable) renderWith(w io.Writer, table *tablewriter.Table) error {
	table.Header(t.header())
	for _, row := range t.cellRows() {
		if err := table.Append(row); err != nil {
			return err
		}
	}
	return table.Render()
}

// latencyCSVHeader names WriteCSV's columns.
var latencyCSVHeader = []string{
	"timestamp", "operation", "backend", "status", "skip_reason", "mean_us", "p50_us", "p99_us", "min_us", "max_us",
	"samples", "batch", "speedup", "speedup_target", "clock_median_ns", "clock_min_ns", "records", "large_records",
	"machine", "hostname", "cpu_model", "cores", "kernel", "go_version", "memcached_version", "pku", "git_commit",
}

// WriteCSV writes one row per operation and backend, each with its environment.
func (t *LatencyTable) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(latencyCSVHeader); err != nil {
		return err
	}
	f := func(ns float64) string { return strconv.FormatFloat(round3(ns/1e3), 'f', -1, 64) }
	for i, op := range t.Rows {
		for _, c := range t.Columns {
			row := []string{t.Env.Timestamp.UTC().Format("2006-01-02T15:04:05Z"), op, c.Backend}
			if c.Skipped != "" || i >= len(c.Cells) {
				row = append(row, "skipped", c.Skipped, "", "", "", "", "", "", "")
			} else {
				cell := c.Cells[i]
				row = append(row, "measured", "", f(cell.MeanNs), f(cell.P50Ns), f(cell.P99Ns), f(cell.MinNs), f(cell.MaxNs),
					strconv.Itoa(cell.Samples), strconv.Itoa(cell.Batch))
			}
			row = append(row, strconv.FormatFloat(round3(t.Speedup[i]), 'f', -1, 64), t.SpeedupTarget,
				strconv.FormatFloat(t.Clock.MedianNs, 'f', -1, 64), strconv.FormatFloat(t.Clock.MinNs, 'f', -1, 64),
				strconv.FormatInt(t.Options.Records, 10), strconv.FormatInt(t.Options.LargeRecords, 10),
				t.Env.Machine, t.Env.Hostname, t.Env.CPUModel, strconv.Itoa(t.Env.Cores), t.Env.Kernel, t.Env.GoVersion,
				t.Env.MemcachedVersion, strconv.FormatBool(t.Env.PKU), t.Env.GitCommit)
			if err := cw.Write(row); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteLatencyFiles writes t into dir as latency-<time>.csv, .md and .json and returns the paths.
func WriteLatencyFiles(dir string, t *LatencyTable) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	base := filepath.Join(dir, "latency-"+t.Env.Timestamp.UTC().Format("20060102T150405Z"))
	writers := []struct {
		ext   string
		write func(io.Writer) error
	}{
		{".csv", t.WriteCSV},
		{".md", t.WriteMarkdown},
		{".json", func(w io.Writer) error {
			enc := json.NewEncoder(w)
			enc.SetIndent("", "  ")
			return enc.Encode(t)
		}},
	}
	var paths []string
	for _, wr := range writers {
		if err := WriteFile(base+wr.ext, wr.write); err != nil {
			return paths, err
		}
		paths = append(paths, base+wr.ext)
	}
	return paths, nil
}

// orNone returns s, or "none" when s is empty.
func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
