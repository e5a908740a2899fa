package regress

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
)

// Status of a floor.
const (
	Pass    = "PASS"
	Fail    = "FAIL"
	Skipped = "SKIPPED"
)

// Verdict is one floor's outcome.
type Verdict struct {
	Floor  Floor
	Status string
	Ratio  float64 // measured; 0 when skipped
	// Numerator and Denominator are the sides actually measured (a stand-in's, if any).
	Numerator, Denominator Side
	// NumeratorValue and DenominatorValue are their measured figures; 0 when skipped.
	NumeratorValue, DenominatorValue float64
	// Notes say what stood in for what, or why the floor was skipped.
	Notes []string
}

// Evaluate checks every floor against the measurements.
func Evaluate(floors []Floor, m *Measurements) []Verdict {
	out := make([]Verdict, len(floors))
	for i, f := range floors {
		out[i] = evaluate(f, m)
	}
	return out
}

// evaluate checks one floor: stand-ins replace unavailable backends; a ratio of a side over
// its own stand-in, or with a side that has neither, is skipped.
func evaluate(f Floor, m *Measurements) Verdict {
	v := Verdict{Floor: f, Status: Skipped}
	var ok bool
	if v.Numerator, ok = v.resolve(f.Numerator, m); !ok {
		return v
	}
	if v.Denominator, ok = v.resolve(f.Denominator, m); !ok {
		return v
	}
	if v.Numerator == v.Denominator {
		missing := missingName(f, m)
		v.Notes = []string{fmt.Sprintf("(no %s: %s): %s would be compared with itself",
			lacking(missing), m.Unavailable[missing], v.Numerator)}
		return v
	}
	num, okN := m.value(f.Metric, v.Numerator)
	den, okD := m.value(f.Metric, v.Denominator)
	if !okN || !okD {
		v.Notes = append(v.Notes, fmt.Sprintf("(%s not measured for %s or %s)", f.Metric, v.Numerator, v.Denominator))
		return v
	}
	v.NumeratorValue, v.DenominatorValue = num, den
	v.Ratio = num / den
	v.Status = Fail
	if f.Holds(v.Ratio) {
		v.Status = Pass
	}
	return v
}

// resolve returns the side measured for side: itself, or its backend's stand-in at the same
// thread count (noted once per floor, though both sides may need it).
func (v *Verdict) resolve(side Side, m *Measurements) (Side, bool) {
	reason, missing := m.Unavailable[side.Backend]
	if !missing {
		return side, true
	}
	if s := standIns[side.Backend]; s != "" {
		if _, bad := m.Unavailable[s]; !bad {
			if note := fmt.Sprintf("SUBSTITUTE: %s for %s (%s)", s, side.Backend, reason); !slices.Contains(v.Notes, note) {
				v.Notes = append(v.Notes, note)
			}
			return Side{Backend: s, Threads: side.Threads}, true
		}
	}
	v.Notes = append(v.Notes, fmt.Sprintf("(%s unavailable: %s)", side.Backend, reason))
	return Side{}, false
}

// lacking names what a machine lacks when backend is unavailable.
func lacking(backend string) string {
	if backend == "plib-pku" {
		return "PKU"
	}
	return backend
}

// missingName is the unavailable backend of a floor's sides.
func missingName(f Floor, m *Measurements) string {
	if _, bad := m.Unavailable[f.Numerator.Backend]; bad {
		return f.Numerator.Backend
	}
	return f.Denominator.Backend
}

// Report prints the measured figures and one line per verdict, each with the figures of both
// sides, and returns the number of failures.
func Report(w io.Writer, verdicts []Verdict, m *Measurements) int {
	for _, metric := range metrics {
		if values := m.Values[metric.name]; len(values) > 0 {
			fmt.Fprintf(w, "measured %s:", metric.name)
			for _, side := range sortedKeys(values) {
				fmt.Fprintf(w, "  %s %s", side, formatValue(metric.name, values[side]))
			}
			fmt.Fprintln(w)
		}
	}
	failed, passed, skipped := 0, 0, 0
	for _, v := range verdicts {
		if v.Status != Skipped {
			for _, n := range v.Notes {
				fmt.Fprintf(w, "  %s\n", n)
			}
		}
		switch v.Status {
		case Pass:
			passed++
			fmt.Fprintf(w, "PASS     %-60s measured %.2f (%s)\n", v.Floor, v.Ratio, v.sides())
		case Fail:
			failed++
			fmt.Fprintf(w, "FAIL     %-60s measured ratio %.2f (%s), floor %s %g\n", v.Floor, v.Ratio, v.sides(), v.Floor.op(), v.Floor.Value)
		default:
			skipped++
			fmt.Fprintf(w, "SKIPPED  %-60s %s\n", v.Floor, strings.Join(v.Notes, "; "))
		}
	}
	fmt.Fprintf(w, "regress: %d passed, %d failed, %d skipped\n", passed, failed, skipped)
	return failed
}

// sides renders the measured sides with their figures: "plib-nopku@2 1900.0 kops/s / plib-nopku@1 1000.0 kops/s".
func (v Verdict) sides() string {
	return fmt.Sprintf("%s %s / %s %s", v.Numerator, formatValue(v.Floor.Metric, v.NumeratorValue),
		v.Denominator, formatValue(v.Floor.Metric, v.DenominatorValue))
}

// formatValue renders a measured figure in its unit.
func formatValue(metric string, v float64) string {
	if metric == MetricGetLatency {
		return fmt.Sprintf("%.3f µs", v/1e3)
	}
	return fmt.Sprintf("%.1f kops/s", v/1e3)
}

// sortedKeys returns the map's keys in order.
func sortedKeys(m map[string]float64) []string { return slices.Sorted(maps.Keys(m)) }
