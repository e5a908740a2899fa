package plots

import (
	"fmt"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// LatencyLabel is the latency axis label: microseconds on a log scale, as the paper's table.
const LatencyLabel = "Mean latency (µs, log scale)"

// Latency draws one operation's mean latency on each system as bars on a logarithmic axis, each
// labelled with its value: sub-microsecond and tens-of-microseconds figures side by side. Systems
// without a measurement (mean 0) keep their place, with the reason (or "n/a") written there.
func Latency(fig LatencyFigure) (*plot.Plot, error) {
	if err := fig.validate(); err != nil {
		return nil, err
	}
	p := newPlot(fig.Operation+": mean latency, one client thread", "", LatencyLabel)
	names := make([]string, len(fig.Bars))
	lo, hi := math.Inf(1), 0.0
	for i, b := range fig.Bars {
		names[i] = b.System
		if b.MeanUs > 0 {
			lo, hi = math.Min(lo, b.MeanUs), math.Max(hi, b.MeanUs)
		}
	}
	p.Y.Tick.Marker = decadeTicks{}
	p.Y.Min, p.Y.Max = decadeRange(lo, hi)
	grid := plotter.NewGrid()
	grid.Vertical.Width = 0
	grid.Horizontal.Color = gridColor
	p.Add(grid)
	for i, b := range fig.Bars {
		values := make([]float64, len(fig.Bars))
		values[i] = b.MeanUs
		p.Add(&logBars{values: values, width: vg.Points(46), fill: colorOf(b.Color), dashed: b.Context})
	}
	labels, err := valueLabels(fig.Bars, p.Y.Min)
	if err != nil {
		return nil, err
	}
	p.Add(labels)
	p.NominalX(names...)
	p.X.Min, p.X.Max = -0.6, float64(len(names))-0.4
	return p, nil
}

// valueLabels writes each bar's value above it, or "n/a" at the bottom for a missing one; bottom
// is the axis's lowest log10 value.
func valueLabels(bars []LatencyBar, bottom float64) (*plotter.Labels, error) {
	xys := make(plotter.XYs, len(bars))
	texts := make([]string, len(bars))
	for i, b := range bars {
		xys[i] = plotter.XY{X: float64(i), Y: log10OrNaN(b.MeanUs)}
		texts[i] = formatMicros(b.MeanUs)
		if b.MeanUs <= 0 {
			xys[i].Y, texts[i] = bottom+0.05, "n/a"
			if b.Missing != "" {
				texts[i] = b.Missing
			}
		}
	}
	labels, err := plotter.NewLabels(plotter.XYLabels{XYs: xys, Labels: texts})
	if err != nil {
		return nil, err
	}
	for i := range labels.TextStyle {
		labels.TextStyle[i].XAlign, labels.TextStyle[i].YAlign = draw.XCenter, draw.YBottom
		labels.TextStyle[i].Font = sans(10)
	}
	labels.Offset = vg.Point{Y: vg.Points(3)}
	return labels, nil
}

// Micros renders a latency in µs with three significant digits and no unit: "0.512", "41.3".
func Micros(us float64) string {
	switch {
	case us >= 100:
		return fmt.Sprintf("%.0f", us)
	case us >= 10:
		return fmt.Sprintf("%.1f", us)
	case us >= 1:
		return fmt.Sprintf("%.2f", us)
	}
	return fmt.Sprintf("%.3f", us)
}

// formatMicros is Micros with the unit: "0.512 µs".
func formatMicros(us float64) string { return Micros(us) + " µs" }

// Overview draws every operation of the latency table in one chart: a group per operation, a bar
// per system, on a logarithmic axis.
func Overview(o LatencyOverview) (*plot.Plot, error) {
	if err := o.validate(); err != nil {
		return nil, err
	}
	p := newPlot(o.Title, "", LatencyLabel)
	lo, hi := math.Inf(1), 0.0
	for _, row := range o.Means {
		for _, v := range row {
			if v > 0 {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
	}
	p.Y.Tick.Marker = decadeTicks{}
	p.Y.Min, p.Y.Max = decadeRange(lo, hi*3) // the legend sits above the bars
	grid := plotter.NewGrid()
	grid.Vertical.Width = 0
	grid.Horizontal.Color = gridColor
	p.Add(grid)
	width := vg.Points(60) / vg.Length(max(len(o.Systems), 1))
	for i, name := range o.Systems {
		offset := (vg.Length(i) - vg.Length(len(o.Systems)-1)/2) * width
		bars := &logBars{values: o.Means[i], width: width, offset: offset, fill: colorOf(o.Colors[i])}
		p.Add(bars)
		p.Legend.Add(name, bars)
	}
	p.Legend.Top, p.Legend.Left = true, false
	p.Legend.XOffs = -vg.Points(6)
	p.NominalX(o.Operations...)
	p.X.Min, p.X.Max = -0.6, float64(len(o.Operations))-0.4
	return p, nil
}
