package evaluation

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/plibcached/plibcached/harness"
	"github.com/plibcached/plibcached/plots"
	"gonum.org/v1/plot"
)

// latencyColors gives each latency column the colour of the throughput system it stands for, so
// a system looks the same in every figure. The latency table's memcached runs 4 server threads.
var latencyColors = map[string]int{"memcached": 1, "plib-nopku": 2, "plib-pku": 3, "memcached-unix": 4, "gomap": 5,
	"redis": 6, "redis-unix": 7, "lmdb": 8}

// contextBackends are the latency columns that are not the paper's systems.
var contextBackends = map[string]bool{"memcached-unix": true, "gomap": true, "redis": true, "redis-unix": true, "lmdb": true}

// RenderPlots draws the run's figures into dir as PNG and SVG and returns their paths: per mix,
// throughput against threads (the paper's slide 14, on a linear axis as the paper drew it, and a
// log-axis twin on which systems far apart stay readable); per latency operation a chart on a
// log axis, and one chart of them all (and of the pinned table, when there is one).
func RenderPlots(ds *Dataset, dir string) ([]string, error) {
	var paths []string
	save := func(name string, draw func() (*plot.Plot, error)) error {
		p, err := draw()
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		saved, err := plots.Save(p, filepath.Join(dir, name))
		paths = append(paths, saved...)
		return err
	}
	for _, mix := range ds.mixes() {
		fig, ok := ThroughputFigure(ds, mix)
		if !ok {
			continue
		}
		if err := save("throughput-"+mix.Name, func() (*plot.Plot, error) { return plots.Throughput(fig) }); err != nil {
			return paths, err
		}
		fig.LogY = true
		if err := save("throughput-"+mix.Name+"-log", func() (*plot.Plot, error) { return plots.Throughput(fig) }); err != nil {
			return paths, err
		}
	}
	splitCells := ds.SplitCells()
	for _, mix := range ds.mixes() {
		for _, t := range splitThreads(splitCells) {
			fig, ok := SplitFigure(ds, mix, t)
			if !ok {
				continue
			}
			if err := save(fmt.Sprintf("processes-%s-%dt", mix.Name, t), func() (*plot.Plot, error) { return plots.Throughput(fig) }); err != nil {
				return paths, err
			}
			fig.LogY = true
			if err := save(fmt.Sprintf("processes-%s-%dt-log", mix.Name, t), func() (*plot.Plot, error) { return plots.Throughput(fig) }); err != nil {
				return paths, err
			}
		}
	}
	if ds.Latency != nil {
		for i, op := range ds.Latency.Rows {
			if err := save("latency-"+slug(op), func() (*plot.Plot, error) { return plots.Latency(LatencyFigure(ds, i)) }); err != nil {
				return paths, err
			}
		}
		if err := save("latency-overview", func() (*plot.Plot, error) { return plots.Overview(LatencyOverview(ds.Latency, "")) }); err != nil {
			return paths, err
		}
	}
	if ds.LatencyPinned != nil {
		if err := save("latency-overview-pinned", func() (*plot.Plot, error) {
			return plots.Overview(LatencyOverview(ds.LatencyPinned, ", process pinned to one CPU"))
		}); err != nil {
			return paths, err
		}
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("%w to plot in %s", ErrNoResults, ds.Dir)
	}
	return paths, nil
}

// ThroughputFigure returns mix's throughput figure: one series per measured system, in legend
// order, each point the mean of its runs with the lowest and highest as the error bar. ok is
// false when nothing was measured for mix.
func ThroughputFigure(ds *Dataset, mix Mix) (fig plots.ThroughputFigure, ok bool) {
	cells := ds.Cells()
	fig.Title = fmt.Sprintf("%s workload - item size 128 B - %s records", mix.Title, shortCount(ds.records()))
	for _, s := range ds.systems() {
		series := plots.Series{Label: s.Title, Color: s.Color, Context: s.Context}
		for _, c := range cells {
			if c.System == s.ID && c.Mix == mix.Name {
				series.Points = append(series.Points, plots.Point{Threads: c.Threads, Mean: c.Mean, Low: c.Min, High: c.Max})
			}
		}
		if len(series.Points) > 0 {
			fig.Series = append(fig.Series, series)
			ok = true
		}
	}
	return fig, ok
}

// LatencyFigure returns row i of the latency table as a chart: every column, skipped ones
// marked as such.
func LatencyFigure(ds *Dataset, row int) plots.LatencyFigure {
	t := ds.Latency
	fig := plots.LatencyFigure{Operation: t.Rows[row]}
	for _, col := range t.Columns {
		bar := plots.LatencyBar{System: col.Backend, Color: latencyColor(col.Backend), Context: contextBackends[col.Backend]}
		if col.Skipped == "" && row < len(col.Cells) {
			bar.MeanUs = col.Cells[row].MeanNs / 1e3
		} else {
			bar.Missing = "not\nmeasured"
			if strings.Contains(col.Skipped, "PKU") || strings.Contains(col.Skipped, "pku") {
				bar.Missing = "not measured\n(no PKU)"
			}
		}
		fig.Bars = append(fig.Bars, bar)
	}
	return fig
}

// LatencyOverview returns a whole latency table as one chart of its measured columns; note is
// appended to the title.
func LatencyOverview(t *harness.LatencyTable, note string) plots.LatencyOverview {
	o := plots.LatencyOverview{Title: "Mean latency per operation, one client thread" + note, Operations: t.Rows}
	for _, col := range t.Columns {
		if col.Skipped != "" || len(col.Cells) != len(t.Rows) {
			continue
		}
		means := make([]float64, len(t.Rows))
		for i, cell := range col.Cells {
			means[i] = cell.MeanNs / 1e3
		}
		o.Systems = append(o.Systems, col.Backend)
		o.Colors = append(o.Colors, latencyColor(col.Backend))
		o.Means = append(o.Means, means)
	}
	return o
}

// latencyColor is a latency column's palette index.
func latencyColor(backend string) int {
	if c, ok := latencyColors[backend]; ok {
		return c
	}
	return 9
}

// slug makes an operation name a file name: "Get 128B" -> "get-128b".
func slug(s string) string {
	return strings.ToLower(strings.ReplaceAll(strings.TrimSpace(s), " ", "-"))
}
