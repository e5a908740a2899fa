package plots

import (
	"errors"
	"fmt"
	"math"
)

// ErrNoData is returned for a figure with nothing to draw.
var ErrNoData = errors.New("plots: no data")

// ThroughputFigure is one of the paper's throughput plots: one workload mix, throughput in
// thousands of operations per second against client threads, one series per system.
type ThroughputFigure struct {
	Title  string   `json:"title"`  // "Read heavy (95/5) - 128 B items - 40M records"
	Series []Series `json:"series"` // drawn in order, with the legend in the same order
	// LogY draws the throughput axis on a log scale: systems 30x apart stay readable.
	LogY bool `json:"log_y,omitempty"`
	// XLabel replaces the x axis's label (ThreadsLabel): the across-processes figures put the
	// number of client processes there, in each Point's Threads.
	XLabel string `json:"x_label,omitempty"`
}

// Series is one system's line.
type Series struct {
	Label string `json:"label"`
	// Color picks the line's colour and marker from the palette; give a system the same index in
	// every figure.
	Color int `json:"color"`
	// Context marks a line that is not one of the paper's systems (drawn dashed).
	Context bool    `json:"context,omitempty"`
	Points  []Point `json:"points"`
}

// Point is one thread count's throughput over repeated runs, in thousands of operations per
// second: the mean, and the lowest and highest run (the error bar).
type Point struct {
	Threads int     `json:"threads"`
	Mean    float64 `json:"mean"`
	Low     float64 `json:"low"`
	High    float64 `json:"high"`
}

// LatencyFigure is one operation's mean latency on each system, in microseconds.
type LatencyFigure struct {
	Operation string       `json:"operation"` // "Get 128B"
	Bars      []LatencyBar `json:"bars"`
}

// LatencyBar is one system's mean latency for one operation. A bar with MeanUs 0 was not
// measured: Missing, or "n/a", is written in its place.
type LatencyBar struct {
	System  string  `json:"system"`
	Color   int     `json:"color"` // palette index, as in Series
	MeanUs  float64 `json:"mean_us"`
	Context bool    `json:"context,omitempty"`
	Missing string  `json:"missing,omitempty"` // e.g. "no PKU"
}

// LatencyOverview is every operation of the latency table in one chart: a group of bars per
// operation, one bar per system. Means[i][j] is system i's mean for operation j; 0 leaves the bar
// out.
type LatencyOverview struct {
	Title      string      `json:"title"`
	Operations []string    `json:"operations"`
	Systems    []string    `json:"systems"`
	Colors     []int       `json:"colors"` // palette index of each system, as in Series
	Means      [][]float64 `json:"means_us"`
}

// validate checks that the figure has a series with points, and sane numbers.
func (f ThroughputFigure) validate() error {
	points := 0
	for _, s := range f.Series {
		for _, p := range s.Points {
			if p.Threads < 1 || !finite(p.Mean, p.Low, p.High) || p.Low > p.Mean || p.Mean > p.High || p.Low < 0 {
				return fmt.Errorf("plots: %s: series %q: bad point %+v (want 1 <= threads, 0 <= low <= mean <= high)", f.Title, s.Label, p)
			}
			if f.LogY && p.Low <= 0 {
				return fmt.Errorf("plots: %s: series %q: a log axis needs positive throughput, got %+v", f.Title, s.Label, p)
			}
			points++
		}
	}
	if points == 0 {
		return fmt.Errorf("%w: throughput figure %q has no points", ErrNoData, f.Title)
	}
	return nil
}

// validate checks that some bar has a positive, finite mean.
func (f LatencyFigure) validate() error {
	for _, b := range f.Bars {
		if !finite(b.MeanUs) || b.MeanUs < 0 {
			return fmt.Errorf("plots: %s: %s: bad latency %v", f.Operation, b.System, b.MeanUs)
		}
		if b.MeanUs > 0 {
			return nil
		}
	}
	return fmt.Errorf("%w: latency figure %q has no measured system", ErrNoData, f.Operation)
}

// validate checks the shape of the overview and that something was measured.
func (o LatencyOverview) validate() error {
	if len(o.Means) != len(o.Systems) || len(o.Colors) != len(o.Systems) {
		return fmt.Errorf("plots: latency overview: %d rows of means and %d colours for %d systems", len(o.Means), len(o.Colors), len(o.Systems))
	}
	any := false
	for i, row := range o.Means {
		if len(row) != len(o.Operations) {
			return fmt.Errorf("plots: latency overview: %s has %d means for %d operations", o.Systems[i], len(row), len(o.Operations))
		}
		for _, v := range row {
			if !finite(v) || v < 0 {
				return fmt.Errorf("plots: latency overview: %s: bad latency %v", o.Systems[i], v)
			}
			any = any || v > 0
		}
	}
	if !any {
		return fmt.Errorf("%w: latency overview has no measured system", ErrNoData)
	}
	return nil
}

// finite reports whether every v is a finite number.
func finite(vs ...float64) bool {
	for _, v := range vs {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}
