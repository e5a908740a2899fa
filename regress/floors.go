package regress

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Metrics a floor can name.
const (
	MetricGetLatency = "get128b-latency"         // mean Get 128B latency, one client thread (ns)
	MetricThroughput = "readheavy-throughput-2t" // read-heavy ops/s at 2 client threads
)

// ErrFloors is returned for a floors file that cannot be used.
var ErrFloors = errors.New("regress: bad floors file")

// Floor is one checked ratio: Metric(Numerator) / Metric(Denominator) Op Value.
type Floor struct {
	Metric      string
	Numerator   string
	Denominator string
	AtLeast     bool // ">=" (else "<=")
	Value       float64
	Line        int // in the floors file
}

// String renders the floor as written: "get128b-latency memcached/plib-pku >= 10".
func (f Floor) String() string {
	return fmt.Sprintf("%s %s/%s %s %g", f.Metric, f.Numerator, f.Denominator, f.op(), f.Value)
}

// op is ">=" or "<=".
func (f Floor) op() string {
	if f.AtLeast {
		return ">="
	}
	return "<="
}

// Holds reports whether ratio satisfies the floor.
func (f Floor) Holds(ratio float64) bool {
	if f.AtLeast {
		return ratio >= f.Value
	}
	return ratio <= f.Value
}

// ParseFloors reads a floors file: one floor per line, '#' comments and blank lines ignored.
func ParseFloors(r io.Reader) ([]Floor, error) {
	var floors []Floor
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = strings.TrimSpace(line[:i])
		}
		if line == "" {
			continue
		}
		f, err := parseFloor(line)
		if err != nil {
			return nil, fmt.Errorf("%w: line %d %q: %w", ErrFloors, n, line, err)
		}
		f.Line = n
		floors = append(floors, f)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(floors) == 0 {
		return nil, fmt.Errorf("%w: no floors", ErrFloors)
	}
	return floors, nil
}

// parseFloor parses "METRIC NUM/DEN OP VALUE".
func parseFloor(line string) (Floor, error) {
	fields := strings.Fields(line)
	if len(fields) != 4 {
		return Floor{}, errors.New("want METRIC NUMERATOR/DENOMINATOR >=|<= VALUE")
	}
	f := Floor{Metric: fields[0]}
	if f.Metric != MetricGetLatency && f.Metric != MetricThroughput {
		return f, fmt.Errorf("unknown metric %q (known: %s, %s)", f.Metric, MetricGetLatency, MetricThroughput)
	}
	var ok bool
	if f.Numerator, f.Denominator, ok = strings.Cut(fields[1], "/"); !ok || f.Numerator == "" || f.Denominator == "" || f.Numerator == f.Denominator {
		return f, fmt.Errorf("ratio %q: want two different backends, NUMERATOR/DENOMINATOR", fields[1])
	}
	switch fields[2] {
	case ">=":
		f.AtLeast = true
	case "<=":
	default:
		return f, fmt.Errorf("operator %q: want >= or <=", fields[2])
	}
	v, err := strconv.ParseFloat(fields[3], 64)
	if err != nil || v <= 0 {
		return f, fmt.Errorf("value %q: want a positive number", fields[3])
	}
	f.Value = v
	return f, nil
}
