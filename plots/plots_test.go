package plots

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gonum.org/v1/plot"
)

// regen rewrites the golden images from the current code: go test ./plots -regen. (gonum's
// cmpimg has the same flag but needs a module, rsc.io/pdf, that this one does not otherwise use.)
var regen = flag.Bool("regen", false, "rewrite testdata/*_golden.* from the current code")

// goldenSet is testdata/figures.json: one figure of each kind, small enough to read.
type goldenSet struct {
	Throughput []ThroughputFigure `json:"throughput"`
	Latency    []LatencyFigure    `json:"latency"`
	Overview   LatencyOverview    `json:"overview"`
}

func loadGoldenSet(t *testing.T) goldenSet {
	t.Helper()
	raw, err := os.ReadFile("testdata/figures.json")
	if err != nil {
		t.Fatal(err)
	}
	var set goldenSet
	if err := json.Unmarshal(raw, &set); err != nil {
		t.Fatalf("testdata/figures.json: %v", err)
	}
	return set
}

// checkGolden saves p into a temporary directory and compares the PNG and the SVG with
// testdata/<name>_golden.png and .svg, pixel for pixel and byte for byte; with -regen it
// rewrites the golden files instead.
func checkGolden(t *testing.T, name string, p *plot.Plot) {
	t.Helper()
	paths, err := Save(p, filepath.Join(t.TempDir(), name))
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range paths {
		ext := filepath.Ext(path)
		golden := filepath.Join("testdata", name+"_golden"+ext)
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if *regen {
			if err := os.WriteFile(golden, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (run go test ./plots -regen to create it)", err)
		}
		same, err := sameImage(ext, got, want)
		if err != nil {
			t.Fatalf("%s: %v", golden, err)
		}
		if !same {
			keep := filepath.Join(os.TempDir(), "plots-"+name+ext)
			os.WriteFile(keep, got, 0o644)
			t.Errorf("%s differs from %s (the new image is at %s; go test ./plots -regen accepts it)", name+ext, golden, keep)
		}
	}
}

func TestThroughputGolden(t *testing.T) {
	set := loadGoldenSet(t)
	fig := set.Throughput[0]
	p, err := Throughput(fig)
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "throughput", p)
	fig.LogY = true
	if p, err = Throughput(fig); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "throughput-log", p)
}

func TestLatencyGolden(t *testing.T) {
	p, err := Latency(loadGoldenSet(t).Latency[0])
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "latency-get128b", p)
}

func TestOverviewGolden(t *testing.T) {
	p, err := Overview(loadGoldenSet(t).Overview)
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "latency-overview", p)
}

// TestThroughputAxes checks what a reader of the figure relies on: the paper's axis labels, a
// y axis from 0 that holds every error bar, and the legend in series order.
func TestThroughputAxes(t *testing.T) {
	fig := loadGoldenSet(t).Throughput[0]
	p, err := Throughput(fig)
	if err != nil {
		t.Fatal(err)
	}
	if p.X.Label.Text != "Threads" || p.Y.Label.Text != "Thousand Transactions / s" {
		t.Errorf("axis labels %q, %q", p.X.Label.Text, p.Y.Label.Text)
	}
	if p.Y.Min != 0 || p.Y.Max < 4300 || p.X.Min != 0 || p.X.Max < 4 {
		t.Errorf("axes x [%v, %v], y [%v, %v] do not hold the data from 0", p.X.Min, p.X.Max, p.Y.Min, p.Y.Max)
	}
}

// TestThroughputXLabel: the across-processes figures put processes on the x axis and say so.
func TestThroughputXLabel(t *testing.T) {
	fig := loadGoldenSet(t).Throughput[0]
	fig.XLabel = "Client processes sharing one store (4 threads in all)"
	p, err := Throughput(fig)
	if err != nil {
		t.Fatal(err)
	}
	if p.X.Label.Text != fig.XLabel {
		t.Errorf("x label %q, want %q", p.X.Label.Text, fig.XLabel)
	}
	if len(palette) < 10 || len(glyphs) != len(palette) {
		t.Errorf("%d colours and %d glyphs: every system of AllSystems needs its own pair", len(palette), len(glyphs))
	}
}

func TestRejectsBadData(t *testing.T) {
	cases := map[string]error{}
	_, cases["no points"] = Throughput(ThroughputFigure{Title: "empty", Series: []Series{{Label: "a"}}})
	_, cases["mean outside its bar"] = Throughput(ThroughputFigure{Series: []Series{{Label: "a", Points: []Point{{Threads: 1, Mean: 5, Low: 6, High: 7}}}}})
	_, cases["zero threads"] = Throughput(ThroughputFigure{Series: []Series{{Label: "a", Points: []Point{{Threads: 0, Mean: 5, Low: 5, High: 5}}}}})
	_, cases["log axis at zero"] = Throughput(ThroughputFigure{LogY: true, Series: []Series{{Label: "a", Points: []Point{{Threads: 1}}}}})
	_, cases["nothing measured"] = Latency(LatencyFigure{Operation: "Get", Bars: []LatencyBar{{System: "plib-pku"}}})
	_, cases["negative latency"] = Latency(LatencyFigure{Operation: "Get", Bars: []LatencyBar{{System: "x", MeanUs: -1}}})
	_, cases["ragged overview"] = Overview(LatencyOverview{Operations: []string{"Get"}, Systems: []string{"x"}, Means: [][]float64{{1, 2}}})
	for name, err := range cases {
		if err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if !errors.Is(cases["no points"], ErrNoData) || !errors.Is(cases["nothing measured"], ErrNoData) {
		t.Errorf("empty figures: errors %v, %v; want ErrNoData", cases["no points"], cases["nothing measured"])
	}
}

func TestFormatMicros(t *testing.T) {
	for us, want := range map[float64]string{0.5123: "0.512 µs", 1.234: "1.23 µs", 41.27: "41.3 µs", 412.7: "413 µs"} {
		if got := formatMicros(us); !strings.EqualFold(got, want) {
			t.Errorf("formatMicros(%v) = %q, want %q", us, got, want)
		}
	}
}

// sameImage compares two PNGs pixel by pixel (their encodings may differ) and anything else
// byte by byte.
func sameImage(ext string, got, want []byte) (bool, error) {
	if ext != ".png" {
		return bytes.Equal(got, want), nil
	}
	a, err := png.Decode(bytes.NewReader(got))
	if err != nil {
		return false, err
	}
	b, err := png.Decode(bytes.NewReader(want))
	if err != nil {
		return false, err
	}
	if a.Bounds() != b.Bounds() {
		return false, nil
	}
	for y := a.Bounds().Min.Y; y < a.Bounds().Max.Y; y++ {
		for x := a.Bounds().Min.X; x < a.Bounds().Max.X; x++ {
			if !sameColor(a, b, x, y) {
				return false, nil
			}
		}
	}
	return true, nil
}

// sameColor reports whether two images have the same colour at (x, y).
func sameColor(a, b image.Image, x, y int) bool {
	r1, g1, b1, a1 := a.At(x, y).RGBA()
	r2, g2, b2, a2 := b.At(x, y).RGBA()
	return r1 == r2 && g1 == g2 && b1 == b2 && a1 == a2
}
