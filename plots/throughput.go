package plots

import (
	"fmt"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// Axis labels of the paper's throughput figures (slide 14).
const (
	ThreadsLabel    = "Threads"
	ThroughputLabel = "Thousand Transactions / s"
)

// Throughput draws fig as the paper drew its throughput figures: one line with markers per
// system, throughput against client threads, each point with an error bar from the lowest to the
// highest of its repeated runs. The y axis starts at 0 (or is logarithmic with fig.LogY) and
// leaves room above the lines for the legend.
func Throughput(fig ThroughputFigure) (*plot.Plot, error) {
	if err := fig.validate(); err != nil {
		return nil, err
	}
	yLabel := ThroughputLabel
	if fig.LogY {
		yLabel += " (log scale)"
	}
	xLabel := ThreadsLabel
	if fig.XLabel != "" {
		xLabel = fig.XLabel
	}
	p := newPlot(fig.Title, xLabel, yLabel)
	grid := plotter.NewGrid()
	grid.Vertical.Color, grid.Horizontal.Color = gridColor, gridColor
	p.Add(grid)
	lo, hi, maxThreads := math.Inf(1), 0.0, 0
	for _, s := range fig.Series {
		if len(s.Points) == 0 {
			continue
		}
		if err := addSeries(p, s, fig.LogY); err != nil {
			return nil, fmt.Errorf("plots: %s: %w", s.Label, err)
		}
		for _, pt := range s.Points {
			lo, hi, maxThreads = math.Min(lo, pt.Low), math.Max(hi, pt.High), max(maxThreads, pt.Threads)
		}
	}
	p.X.Min, p.X.Max = 0, float64(maxThreads)*1.05+0.5
	p.X.Tick.Marker = threadTicks(maxThreads)
	if fig.LogY {
		p.Y.Tick.Marker = decadeTicks{}
		p.Y.Min, p.Y.Max = decadeRange(lo, hi*3) // whole decades; the legend sits above the lines
	} else {
		p.Y.Min, p.Y.Max = 0, hi*1.45 // headroom for the legend, which sits above the lines
	}
	return p, nil
}

// addSeries adds one system's line, markers and error bars in its colour, and its legend entry;
// with logY, over log10 of the values.
func addSeries(p *plot.Plot, s Series, logY bool) error {
	i := s.Color
	xys := make(plotter.XYs, len(s.Points))
	errs := make(plotter.YErrors, len(s.Points))
	for j, pt := range s.Points {
		mean, low, high := pt.Mean, pt.Low, pt.High
		if logY {
			mean, low, high = math.Log10(mean), math.Log10(low), math.Log10(high)
		}
		xys[j] = plotter.XY{X: float64(pt.Threads), Y: mean}
		errs[j] = struct{ Low, High float64 }{mean - low, high - mean}
	}
	line, points, err := plotter.NewLinePoints(xys)
	if err != nil {
		return err
	}
	line.Color, line.Width = colorOf(i), vg.Points(1.6)
	if s.Context {
		line.Dashes = contextDashes
		line.Width = vg.Points(1.2)
	}
	points.Color, points.Shape, points.Radius = colorOf(i), glyphOf(i), vg.Points(3.2)
	bars, err := plotter.NewYErrorBars(struct {
		plotter.XYs
		plotter.YErrors
	}{xys, errs})
	if err != nil {
		return err
	}
	bars.Color, bars.Width, bars.CapWidth = colorOf(i), vg.Points(1), vg.Points(6)
	p.Add(line, points, bars)
	p.Legend.Add(s.Label, line, points)
	return nil
}

// threadTicks labels the thread counts the paper's axis labels (0, 5, ... 40), or every count
// on a short axis.
func threadTicks(maxThreads int) plot.Ticker {
	step := 1
	switch {
	case maxThreads > 20:
		step = 5
	case maxThreads > 10:
		step = 2
	}
	var ticks plot.ConstantTicks
	for t := 0; t <= maxThreads; t += step {
		ticks = append(ticks, plot.Tick{Value: float64(t), Label: fmt.Sprint(t)})
	}
	return ticks
}
