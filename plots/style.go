package plots

import (
	"image/color"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Figure sizes and resolution: wide enough for the paper's legend beside four lines, and a PNG
// resolution that reads on a laptop screen and in a README.
const (
	FigureWidth  = 7 * vg.Inch
	FigureHeight = 4.6 * vg.Inch
	PNGDPI       = 120
)

// palette is Okabe and Ito's colour-blind-safe set, in the order series are coloured.
var palette = []color.Color{
	color.RGBA{R: 0xd5, G: 0x5e, B: 0x00, A: 0xff}, // vermilion
	color.RGBA{R: 0xe6, G: 0x9f, B: 0x00, A: 0xff}, // orange
	color.RGBA{R: 0x00, G: 0x72, B: 0xb2, A: 0xff}, // blue
	color.RGBA{R: 0x00, G: 0x9e, B: 0x73, A: 0xff}, // bluish green
	color.RGBA{R: 0xcc, G: 0x79, B: 0xa7, A: 0xff}, // reddish purple
	color.RGBA{R: 0x56, G: 0xb4, B: 0xe9, A: 0xff}, // sky blue
	color.RGBA{R: 0x44, G: 0x44, B: 0x44, A: 0xff}, // dark grey
	color.RGBA{R: 0x88, G: 0x22, B: 0x55, A: 0xff}, // wine (Tol's muted set, beyond Okabe and Ito's seven)
	color.RGBA{R: 0x11, G: 0x77, B: 0x33, A: 0xff}, // green
	color.RGBA{R: 0x00, G: 0x00, B: 0x00, A: 0xff}, // black
}

// glyphs are the point markers, in the same order as the palette: a figure printed in grey
// still tells its lines apart.
var glyphs = []draw.GlyphDrawer{
	draw.CircleGlyph{}, draw.SquareGlyph{}, draw.TriangleGlyph{}, draw.PyramidGlyph{},
	draw.RingGlyph{}, draw.BoxGlyph{}, draw.CrossGlyph{}, draw.PlusGlyph{}, draw.SquareGlyph{},
	draw.TriangleGlyph{},
}

// colorOf and glyphOf pick series i's colour and marker.
func colorOf(i int) color.Color      { return palette[i%len(palette)] }
func glyphOf(i int) draw.GlyphDrawer { return glyphs[i%len(glyphs)] }

// contextDashes is the dash pattern of lines that are not the paper's systems.
var contextDashes = []vg.Length{vg.Points(5), vg.Points(3)}

// sans is the figures' typeface at size points: gonum's embedded Liberation Sans, the same on
// every machine.
func sans(size float64) font.Font {
	return font.Font{Typeface: "Liberation", Variant: "Sans", Size: vg.Points(size)}
}

// newPlot returns a plot with the title and axis labels set in the figures' typeface, and the
// legend at the top left; the caller adds the grid and the data.
func newPlot(title, xLabel, yLabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font = sans(13)
	p.Title.Padding = vg.Points(6)
	p.X.Label.Text = xLabel
	p.Y.Label.Text = yLabel
	p.X.Label.TextStyle.Font = sans(12)
	p.Y.Label.TextStyle.Font = sans(12)
	p.X.Tick.Label.Font = sans(10)
	p.Y.Tick.Label.Font = sans(10)
	p.Legend.TextStyle.Font = sans(10)
	p.Legend.Padding = vg.Points(2)
	p.Legend.Top = true
	p.Legend.Left = true
	p.Legend.XOffs = vg.Points(8)
	p.Legend.YOffs = -vg.Points(4)
	p.Legend.ThumbnailWidth = vg.Points(28)
	return p
}

// gridColor is the light grey of the background grid.
var gridColor = color.Gray{Y: 0xdd}
