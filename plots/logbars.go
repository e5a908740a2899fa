package plots

import (
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// logBars draws one bar per category from the bottom of the plot up to its value, on an axis of
// log10 values (see decadeTicks): gonum's BarChart starts its bars at 0, which a log axis does
// not have. Category i is centred on x = i, shifted by offset; values are in the data's units,
// and a value of 0 draws nothing.
type logBars struct {
	values []float64
	width  vg.Length
	offset vg.Length
	fill   color.Color
	dashed bool // a context system: outlined dashes
}

// Plot implements plot.Plotter.
func (b *logBars) Plot(c draw.Canvas, p *plot.Plot) {
	trX, trY := p.Transforms(&c)
	outline := draw.LineStyle{Color: color.Black, Width: vg.Points(0.6)}
	if b.dashed {
		outline.Dashes = []vg.Length{vg.Points(3), vg.Points(2)}
	}
	for i, v := range b.values {
		if v <= 0 {
			continue
		}
		x := trX(float64(i)) + b.offset
		top := trY(math.Log10(v))
		corners := []vg.Point{
			{X: x - b.width/2, Y: c.Min.Y}, {X: x - b.width/2, Y: top},
			{X: x + b.width/2, Y: top}, {X: x + b.width/2, Y: c.Min.Y},
		}
		c.FillPolygon(b.fill, c.ClipPolygonY(corners))
		c.StrokeLines(outline, c.ClipLinesY(append(corners, corners[0]))...)
	}
}

// DataRange implements plot.DataRanger: the categories, and log10 of the positive values.
func (b *logBars) DataRange() (xmin, xmax, ymin, ymax float64) {
	ymin, ymax = math.Inf(1), math.Inf(-1)
	for _, v := range b.values {
		if v > 0 {
			ymin, ymax = math.Min(ymin, math.Log10(v)), math.Max(ymax, math.Log10(v))
		}
	}
	return 0, float64(len(b.values) - 1), ymin, ymax
}

// Thumbnail implements plot.Thumbnailer for the legend: a filled square.
func (b *logBars) Thumbnail(c *draw.Canvas) {
	pts := []vg.Point{
		{X: c.Min.X, Y: c.Min.Y}, {X: c.Min.X, Y: c.Max.Y},
		{X: c.Max.X, Y: c.Max.Y}, {X: c.Max.X, Y: c.Min.Y},
	}
	c.FillPolygon(b.fill, c.ClipPolygonY(pts))
}
