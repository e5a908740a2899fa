package regress

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"

	"github.com/plibcached/plibcached/harness"
	"github.com/plibcached/plibcached/workloads"
)

// standIns name, for a backend that may be unavailable, the backend measured in its place.
var standIns = map[string]string{"plib-pku": "plib-nopku"}

// Options bound the measurements: small and short, `make regress` has two minutes.
type Options struct {
	Records         int64         // records each throughput mix loads [100000]
	Duration        time.Duration // measured time per throughput run (one per side) [3s]
	Warmup          time.Duration // before each throughput run [1s]
	LatencyRecords  int64         // [20000]
	LatencySamples  int           // [5000]
	ServerThreads   int           // memcached -t [4]
	MemcachedBinary string
	Progress        io.Writer                        // load and run progress; nil shows none
	Log             func(format string, args ...any) // notices; nil discards
}

// withDefaults fills in zero fields.
func (o Options) withDefaults() Options {
	if o.Records == 0 {
		o.Records = 100_000
	}
	if o.Duration == 0 {
		o.Duration = 3 * time.Second
	}
	if o.Warmup == 0 {
		o.Warmup = time.Second
	}
	if o.LatencyRecords == 0 {
		o.LatencyRecords = 20_000
	}
	if o.LatencySamples == 0 {
		o.LatencySamples = 5000
	}
	if o.ServerThreads == 0 {
		o.ServerThreads = 4
	}
	if o.Log == nil {
		o.Log = func(string, ...any) {}
	}
	return o
}

// Measurements are the figures measured in one process: Values[metric][side], side as a floor
// writes it (a backend, or BACKEND@THREADS for writeheavy-throughput), Get latency in
// nanoseconds, throughput in operations per second; and why each unavailable backend is.
type Measurements struct {
	Values      map[string]map[string]float64
	Unavailable map[string]string
	Env         harness.Environment
}

// value returns a measured figure and whether it exists.
func (m *Measurements) value(metric string, side Side) (float64, bool) {
	v, ok := m.Values[metric][side.String()]
	return v, ok && v > 0
}

// set records a measured figure.
func (m *Measurements) set(metric string, side Side, v float64) {
	if m.Values[metric] == nil {
		m.Values[metric] = map[string]float64{}
	}
	m.Values[metric][side.String()] = v
}

// probe reports why backend cannot run here, or "" when it can; a variable so tests can stub it.
var probe = func(backend string) string {
	b, err := harness.Open(backend, harness.Config{RecordCount: 100, MaxKeySize: 32, MaxValueSize: 128, Workers: 1})
	if err != nil {
		return err.Error()
	}
	b.Close()
	return ""
}

// Measure measures every figure the floors need, after putting stand-ins in the place of
// backends that cannot run here. A failure other than an unavailable backend is returned.
func Measure(ctx context.Context, floors []Floor, o Options) (*Measurements, error) {
	o = o.withDefaults()
	m := &Measurements{Values: map[string]map[string]float64{}, Unavailable: map[string]string{},
		Env: harness.CaptureEnvironment("", o.MemcachedBinary)}
	need := map[string][]Side{} // per metric: the floors' sides and their stand-ins
	for _, f := range floors {
		for _, side := range []Side{f.Numerator, f.Denominator} {
			for _, cand := range []Side{side, {Backend: standIns[side.Backend], Threads: side.Threads}} {
				if cand.Backend != "" && !slices.Contains(need[f.Metric], cand) {
					need[f.Metric] = append(need[f.Metric], cand)
				}
			}
		}
	}
	probed := map[string]bool{} // a backend's sides share one probe
	for _, sides := range need {
		for _, s := range sides {
			if !probed[s.Backend] {
				probed[s.Backend] = true
				if reason := probe(s.Backend); reason != "" {
					m.Unavailable[s.Backend] = reason
				}
			}
		}
	}
	if sides := m.available(need[MetricGetLatency]); len(sides) > 0 {
		backends := make([]string, len(sides))
		for i, s := range sides {
			backends[i] = s.Backend
		}
		if err := m.measureLatency(ctx, backends, o); err != nil {
			return m, err
		}
	}
	for _, metric := range metrics {
		if metric.workload == "" {
			continue
		}
		for _, cells := range byBackend(m.available(need[metric.name])) {
			if err := m.measureThroughput(ctx, metric.name, metric.metricSpec, cells, o); err != nil {
				return m, err
			}
		}
	}
	return m, nil
}

// available filters out the sides whose backend is unavailable.
func (m *Measurements) available(sides []Side) []Side {
	var out []Side
	for _, s := range sides {
		if _, bad := m.Unavailable[s.Backend]; !bad {
			out = append(out, s)
		}
	}
	return out
}

// byBackend groups sides by backend, in the order the backends first appear, each group in
// ascending thread count: the cells one load serves.
func byBackend(sides []Side) [][]Side {
	var groups [][]Side
	index := map[string]int{}
	for _, s := range sides {
		i, ok := index[s.Backend]
		if !ok {
			i = len(groups)
			index[s.Backend] = i
			groups = append(groups, nil)
		}
		groups[i] = append(groups[i], s)
	}
	for _, g := range groups {
		slices.SortFunc(g, func(a, b Side) int { return a.Threads - b.Threads })
	}
	return groups
}

// measureLatency measures the Get 128B column of the latency table for backends.
func (m *Measurements) measureLatency(ctx context.Context, backends []string, o Options) error {
	t, err := harness.MeasureLatency(ctx, harness.LatencyOptions{
		Backends: backends, Records: o.LatencyRecords, Samples: o.LatencySamples,
		ServerThreads: o.ServerThreads, MemcachedBinary: o.MemcachedBinary, Log: o.Log,
	})
	if err != nil {
		return fmt.Errorf("latency: %w", err)
	}
	m.Values[MetricGetLatency] = map[string]float64{}
	for _, col := range t.Columns {
		if col.Skipped != "" {
			m.Unavailable[col.Backend] = col.Skipped
			continue
		}
		for i, row := range t.Rows {
			if row == "Get 128B" {
				m.Values[MetricGetLatency][col.Backend] = col.Cells[i].MeanNs
			}
		}
	}
	return nil
}

// measureThroughput measures a throughput metric's cells of one backend (cells share the
// backend, in ascending thread count): it loads the metric's mix once, with as many client
// threads as the largest cell runs, then runs the mix at each cell's thread count on that store.
func (m *Measurements) measureThroughput(ctx context.Context, metric string, spec metricSpec, cells []Side,
	o Options) error {
	backend := cells[0].Backend
	props, _, err := workloads.LoadProperties([]string{spec.workload},
		[]string{"recordcount=" + strconv.FormatInt(o.Records, 10), "operationcount=0"})
	if err != nil {
		return err
	}
	b, err := harness.Prepare(harness.Options{Backend: backend, Properties: props, Workload: spec.workload,
		Threads: spec.runThreads(cells[len(cells)-1]), ServerThreads: o.ServerThreads, Duration: o.Duration,
		Warmup: o.Warmup, Seed: 1, MemcachedBinary: o.MemcachedBinary, Progress: o.Progress, Log: o.Log})
	if errors.Is(err, harness.ErrUnavailable) {
		m.Unavailable[backend] = err.Error()
		return nil
	}
	if err != nil {
		return fmt.Errorf("%s: %w", metric, err)
	}
	defer b.Close()
	if _, err := b.LoadFast(ctx); err != nil {
		return fmt.Errorf("%s: %s: load: %w", metric, backend, err)
	}
	for _, cell := range cells {
		run, err := b.Derive(harness.Variant{Threads: spec.runThreads(cell), Warmup: o.Warmup, Seed: 1,
			Progress: o.Progress})
		if err != nil {
			return fmt.Errorf("%s: %s: %w", metric, cell, err)
		}
		res, err := run.Run(ctx)
		run.Close()
		if err != nil {
			return fmt.Errorf("%s: %s: %w", metric, cell, err)
		}
		m.set(metric, cell, res.Throughput)
	}
	return nil
}
