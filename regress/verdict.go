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
	// Numerator and Denominator are the backends actually measured (a stand-in, if any).
	Numerator, Denominator string
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

// evaluate checks one floor: stand-ins replace unavailable backends; a ratio of a backend over
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
	v.Ratio = num / den
	v.Status = Fail
	if f.Holds(v.Ratio) {
		v.Status = Pass
	}
	return v
}

// resolve returns the backend measured for name: itself, or its stand-in (noted).
func (v *Verdict) resolve(name string, m *Measurements) (string, bool) {
	reason, missing := m.Unavailable[name]
	if !missing {
		return name, true
	}
	if s := standIns[name]; s != "" {
		if _, bad := m.Unavailable[s]; !bad {
			v.Notes = append(v.Notes, fmt.Sprintf("SUBSTITUTE: %s for %s (%s)", s, name, reason))
			return s, true
		}
	}
	v.Notes = append(v.Notes, fmt.Sprintf("(%s unavailable: %s)", name, reason))
	return "", false
}

// lacking names what a machine lacks when backend is unavailable.
func lacking(backend string) string {
	if backend == "plib-pku" {
		return "PKU"
	}
	return backend
}

// missingName is the unavailable side of a floor.
func missingName(f Floor, m *Measurements) string {
	if _, bad := m.Unavailable[f.Numerator]; bad {
		return f.Numerator
	}
	return f.Denominator
}

// Report prints the measured figures and one line per verdict, and returns the number of
// failures.
func Report(w io.Writer, verdicts []Verdict, m *Measurements) int {
	for _, metric := range []string{MetricGetLatency, MetricThroughput} {
		if values := m.Values[metric]; len(values) > 0 {
			fmt.Fprintf(w, "measured %s:", metric)
			for _, b := range sortedKeys(values) {
				fmt.Fprintf(w, "  %s %s", b, formatValue(metric, values[b]))
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
			fmt.Fprintf(w, "PASS     %-60s measured %.2f (%s/%s)\n", v.Floor, v.Ratio, v.Numerator, v.Denominator)
		case Fail:
			failed++
			fmt.Fprintf(w, "FAIL     %-60s measured ratio %.2f (%s/%s), floor %s %g\n", v.Floor, v.Ratio, v.Numerator, v.Denominator, v.Floor.op(), v.Floor.Value)
		default:
			skipped++
			fmt.Fprintf(w, "SKIPPED  %-60s %s\n", v.Floor, strings.Join(v.Notes, "; "))
		}
	}
	fmt.Fprintf(w, "regress: %d passed, %d failed, %d skipped\n", passed, failed, skipped)
	return failed
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
