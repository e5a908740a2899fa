package plots

import (
	"fmt"
	"image/color"
	"io"
	"os"
	"path/filepath"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Save writes p as base.png and base.svg (base is a path without extension; its directory is
// created) at FigureWidth × FigureHeight, the PNG at PNGDPI, and returns the two paths.
func Save(p *plot.Plot, base string) ([]string, error) {
	if err := os.MkdirAll(filepath.Dir(base), 0o755); err != nil {
		return nil, err
	}
	png := vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(FigureWidth, FigureHeight), vgimg.UseDPI(PNGDPI))}
	p.Draw(withMargins(draw.New(png)))
	svg := vgsvg.New(FigureWidth, FigureHeight)
	p.Draw(withMargins(draw.New(svg)))
	paths := []string{base + ".png", base + ".svg"}
	for i, out := range []io.WriterTo{png, svg} {
		if err := writeFile(paths[i], out); err != nil {
			return nil, err
		}
	}
	return paths, nil
}

// writeFile creates path and writes out into it.
func writeFile(path string, out io.WriterTo) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := out.WriteTo(f); err != nil {
		f.Close()
		return fmt.Errorf("plots: write %s: %w", path, err)
	}
	return f.Close()
}

// withMargins paints the whole canvas white (an SVG is otherwise transparent outside the plot)
// and leaves a margin around the plot: gonum draws to the canvas's edges.
func withMargins(c draw.Canvas) draw.Canvas {
	c.SetColor(color.White)
	c.Fill(c.Rectangle.Path())
	return draw.Crop(c, vg.Points(6), -vg.Points(16), vg.Points(4), -vg.Points(8))
}
