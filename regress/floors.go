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
	MetricWriteHeavy = "writeheavy-throughput"   // write-heavy ops/s at each side's BACKEND@THREADS
)

// metricSpec says how a metric is measured.
type metricSpec struct {
	// workload is the workloads file a throughput metric runs; "" for the latency metric.
	workload string
	// threads is the client-thread count the metric always runs at; 0 when each side of a floor
	// names its own (BACKEND@THREADS).
	threads int
}

// metrics are the known metrics, in the order they are measured and reported.
var metrics = []struct {
	name string
	metricSpec
}{
	{MetricGetLatency, metricSpec{threads: 1}},
	{MetricThroughput, metricSpec{workload: "paper-readheavy", threads: 2}},
	{MetricWriteHeavy, metricSpec{workload: "paper-writeheavy"}},
}

// specOf returns the metric's spec and whether the metric is known.
func specOf(metric string) (metricSpec, bool) {
	for _, m := range metrics {
		if m.name == metric {
			return m.metricSpec, true
		}
	}
	return metricSpec{}, false
}

// runThreads is the number of client threads side is measured with under spec.
func (s metricSpec) runThreads(side Side) int {
	if s.threads > 0 {
		return s.threads
	}
	return side.Threads
}

// ErrFloors is returned for a floors file that cannot be used.
var ErrFloors = errors.New("regress: bad floors file")

// Side is one side of a floor's ratio: a harness backend and, for a metric whose floors choose the
// client-thread count (writeheavy-throughput), that count. Threads is 0 for the other metrics,
// which always run at the same count.
type Side struct {
	Backend string
	Threads int
}

// String renders the side as a floor writes it: "memcached", or "plib-nopku@2" with a thread count.
func (s Side) String() string {
	if s.Threads == 0 {
		return s.Backend
	}
	return s.Backend + "@" + strconv.Itoa(s.Threads)
}

// Floor is one checked ratio: Metric(Numerator) / Metric(Denominator) Op Value.
type Floor struct {
	Metric      string
	Numerator   Side
	Denominator Side
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

// parseFloor parses "METRIC NUM/DEN OP VALUE", each side BACKEND or, for a metric whose floors
// choose the thread count, BACKEND@THREADS.
func parseFloor(line string) (Floor, error) {
	fields := strings.Fields(line)
	if len(fields) != 4 {
		return Floor{}, errors.New("want METRIC NUMERATOR/DENOMINATOR >=|<= VALUE")
	}
	f := Floor{Metric: fields[0]}
	spec, ok := specOf(f.Metric)
	if !ok {
		known := make([]string, len(metrics))
		for i, m := range metrics {
			known[i] = m.name
		}
		return f, fmt.Errorf("unknown metric %q (known: %s)", f.Metric, strings.Join(known, ", "))
	}
	num, den, ok := strings.Cut(fields[1], "/")
	if !ok || num == "" || den == "" {
		return f, fmt.Errorf("ratio %q: want two different sides, NUMERATOR/DENOMINATOR", fields[1])
	}
	var err error
	if f.Numerator, err = parseSide(f.Metric, spec, num); err != nil {
		return f, err
	}
	if f.Denominator, err = parseSide(f.Metric, spec, den); err != nil {
		return f, err
	}
	if f.Numerator == f.Denominator {
		return f, fmt.Errorf("ratio %q: want two different sides, NUMERATOR/DENOMINATOR", fields[1])
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

// parseSide parses one side of metric's ratio: BACKEND where the metric runs at a fixed thread
// count, BACKEND@THREADS (THREADS a positive integer) where the floor chooses it.
func parseSide(metric string, spec metricSpec, text string) (Side, error) {
	backend, threads, at := strings.Cut(text, "@")
	if backend == "" {
		return Side{}, fmt.Errorf("side %q: no backend", text)
	}
	if spec.threads > 0 {
		if at {
			return Side{}, fmt.Errorf("side %q: %s takes no thread count (it runs at %s); write the backend alone, %s",
				text, metric, clientThreads(spec.threads), backend)
		}
		return Side{Backend: backend}, nil
	}
	if !at {
		return Side{}, fmt.Errorf("side %q: %s needs a client-thread count on each side: BACKEND@THREADS, e.g. %s@2",
			text, metric, backend)
	}
	n, err := strconv.Atoi(threads)
	if err != nil || n < 1 || strconv.Itoa(n) != threads {
		return Side{}, fmt.Errorf("side %q: thread count %q: want a positive integer", text, threads)
	}
	return Side{Backend: backend, Threads: n}, nil
}

// clientThreads renders a thread count: "1 client thread", "2 client threads".
func clientThreads(n int) string {
	if n == 1 {
		return "1 client thread"
	}
	return strconv.Itoa(n) + " client threads"
}
