package plots

// Logarithmic axes are drawn as linear axes over log10 of the data, with decadeTicks labelling
// them in the data's units: gonum's own LogScale centres a vertical axis's label on the
// arithmetic midpoint of the range, far up a log axis, and its layout then shrinks the plot to
// make room for the misplaced label.

import (
	"math"
	"strconv"

	"gonum.org/v1/plot"
)

// log10OrNaN is log10(v) for positive v, NaN otherwise (a value a log axis cannot show).
func log10OrNaN(v float64) float64 {
	if v <= 0 {
		return math.NaN()
	}
	return math.Log10(v)
}

// decadeTicks labels an axis over log10 values: a labelled tick at every power of ten, minor
// ticks at 2..9 times it.
type decadeTicks struct{}

// Ticks implements plot.Ticker; lo and hi are log10 values.
func (decadeTicks) Ticks(lo, hi float64) []plot.Tick {
	var ticks []plot.Tick
	for k := math.Floor(lo); k <= math.Ceil(hi); k++ {
		for m := 1.0; m < 10; m++ {
			v := k + math.Log10(m)
			if v < lo-1e-9 || v > hi+1e-9 {
				continue
			}
			t := plot.Tick{Value: v}
			if m == 1 {
				t.Label = strconv.FormatFloat(math.Pow(10, k), 'f', -1, 64)
			}
			ticks = append(ticks, t)
		}
	}
	return ticks
}

// decadeRange returns the log10 range, in whole decades, around the positive values lo and hi,
// with room above hi for labels or a legend.
func decadeRange(lo, hi float64) (float64, float64) {
	return math.Floor(math.Log10(lo)), math.Ceil(math.Log10(hi * 3))
}
