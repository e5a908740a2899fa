package regress

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/plibcached/plibcached/harness"
	"github.com/plibcached/plibcached/workloads"
)

// standIns name, for a backend that may be unavailable, the backend measured in its place.
var standIns = map[string]string{"plib-pku": "plib-nopku"}

// Options bound the measurements: small and short, `make regress` has two minutes.
type Options struct {
	Records         int64         // read-heavy records for the throughput metric [100000]
	Duration        time.Duration // measured time per throughput run [3s]
	Warmup          time.Duration // [1s]
	LatencyRecords  int64         // [20000]
	LatencySamples  int           // [5000]
	ServerThreads   int           // memcached -t [4]
	MemcachedBinary string
	Progress        io.Writer                        // load progress; nil shows none
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

// Measurements are the figures measured in one process: Values[metric][backend], Get latency in
// nanoseconds, throughput in operations per second; and why each unavailable backend is.
type Measurements struct {
	Values      map[string]map[string]float64
	Unavailable map[string]string
	Env         harness.Environment
}

// value returns a measured figure and whether it exists.
func (m *Measurements) value(metric, backend string) (float64, bool) {
	v, ok := m.Values[metric][backend]
	return v, ok && v > 0
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
	need := map[string][]string{}
	for _, f := range floors {
		for _, b := range []string{f.Numerator, f.Denominator} {
			for _, cand := range []string{b, standIns[b]} {
				if cand != "" && !contains(need[f.Metric], cand) {
					need[f.Metric] = append(need[f.Metric], cand)
				}
			}
		}
	}
	for _, list := range need {
		for _, b := range list {
			if _, seen := m.Unavailable[b]; !seen {
				if reason := probe(b); reason != "" {
					m.Unavailable[b] = reason
				}
			}
		}
	}
	if backends := m.available(need[MetricGetLatency]); len(backends) > 0 {
		if err := m.measureLatency(ctx, backends, o); err != nil {
			return m, err
		}
	}
	for _, b := range m.available(need[MetricThroughput]) {
		if err := m.measureThroughput(ctx, b, o); err != nil {
			return m, err
		}
	}
	return m, nil
}

// available filters out the unavailable backends.
func (m *Measurements) available(backends []string) []string {
	var out []string
	for _, b := range backends {
		if _, bad := m.Unavailable[b]; !bad {
			out = append(out, b)
		}
	}
	return out
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

// measureThroughput loads the read-heavy mix's records into backend and runs it at 2 threads.
func (m *Measurements) measureThroughput(ctx context.Context, backend string, o Options) error {
	props, _, err := workloads.LoadProperties([]string{"paper-readheavy"},
		[]string{"recordcount=" + strconv.FormatInt(o.Records, 10), "operationcount=0"})
	if err != nil {
		return err
	}
	b, err := harness.Prepare(harness.Options{Backend: backend, Properties: props, Workload: "paper-readheavy",
		Threads: 2, ServerThreads: o.ServerThreads, Duration: o.Duration, Warmup: o.Warmup, Seed: 1,
		MemcachedBinary: o.MemcachedBinary, Progress: o.Progress, Log: o.Log})
	if errors.Is(err, harness.ErrUnavailable) {
		m.Unavailable[backend] = err.Error()
		return nil
	}
	if err != nil {
		return fmt.Errorf("throughput: %w", err)
	}
	defer b.Close()
	if _, err := b.LoadFast(ctx); err != nil {
		return fmt.Errorf("throughput: %s: load: %w", backend, err)
	}
	res, err := b.Run(ctx)
	if err != nil {
		return fmt.Errorf("throughput: %s: %w", backend, err)
	}
	if m.Values[MetricThroughput] == nil {
		m.Values[MetricThroughput] = map[string]float64{}
	}
	m.Values[MetricThroughput][backend] = res.Throughput
	return nil
}

// contains reports whether list holds s.
func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
