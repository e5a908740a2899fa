package harness

import (
	"fmt"
	"sort"
	"time"
)

// Result is one phase (load or run) of one benchmark on one backend, with everything needed to
// interpret it later: the environment, every workload property, and the latency histograms.
// Results from several processes of one run are combined with MergeResults.
type Result struct {
	Phase         string            `json:"phase"` // "load" or "run"
	Backend       string            `json:"backend"`
	Workload      string            `json:"workload"`   // the workload's name (its property file's base name)
	Properties    map[string]string `json:"properties"` // every workload property, defaults included where known
	Threads       int               `json:"threads"`    // workers per process
	Processes     int               `json:"processes"`
	ServerThreads int               `json:"server_threads,omitempty"` // memcached -t; 0 for in-process backends
	WarmupMs      float64           `json:"warmup_ms"`
	Start         time.Time         `json:"start"`      // when measurement began
	RuntimeMs     float64           `json:"runtime_ms"` // measured wall time, warm-up excluded
	Operations    int64             `json:"operations"` // top-level operations measured
	Throughput    float64           `json:"throughput_ops_per_sec"`
	Ops           []OpStats         `json:"ops"` // one per operation type, in report order
	Notes         []string          `json:"notes,omitempty"`
	Env           Environment       `json:"env"`
}

// OpStats is one operation type's latencies. Latencies in µs are float: in-process operations
// take less than one. Count includes NotFound; errors other than a miss stop a run instead.
type OpStats struct {
	Name      string  `json:"name"` // YCSB's name: READ, UPDATE, INSERT, READ-MODIFY-WRITE
	Count     int64   `json:"count"`
	OK        int64   `json:"ok"`
	NotFound  int64   `json:"not_found"`
	MeanUs    float64 `json:"mean_us"` // exact, from the sum
	MinUs     float64 `json:"min_us"`  // exact
	MaxUs     float64 `json:"max_us"`  // exact
	P50Us     float64 `json:"p50_us"`  // from the histogram (3 significant digits)
	P95Us     float64 `json:"p95_us"`
	P99Us     float64 `json:"p99_us"`
	P999Us    float64 `json:"p999_us"`
	SumNs     int64   `json:"sum_ns"`
	MinNs     int64   `json:"min_ns"`
	MaxNs     int64   `json:"max_ns"`
	Histogram string  `json:"hdr_histogram"` // HdrHistogram V2 compressed, base64, values in ns
}

// Op returns the stats named name, or nil.
func (r *Result) Op(name string) *OpStats {
	for i := range r.Ops {
		if r.Ops[i].Name == name {
			return &r.Ops[i]
		}
	}
	return nil
}

// MergeResults combines the results of several processes of one run (same phase, backend,
// workload and threads per process) into one: histograms merged, operations summed, and the
// runtime taken as the longest, since the processes ran at the same time. The environment and
// properties are the first part's.
func MergeResults(parts []*Result) (*Result, error) {
	if len(parts) == 0 {
		return nil, fmt.Errorf("%w: nothing to merge", ErrIncompatibleResults)
	}
	first := parts[0]
	merged := *first
	merged.Ops, merged.Processes, merged.Operations, merged.RuntimeMs = nil, 0, 0, 0
	recorders := map[string]*opRecorder{}
	for i, part := range parts {
		if part.Phase != first.Phase || part.Backend != first.Backend || part.Workload != first.Workload || part.Threads != first.Threads {
			return nil, fmt.Errorf("%w: part %d is %s/%s/%s/%d threads, part 0 is %s/%s/%s/%d threads", ErrIncompatibleResults,
				i, part.Phase, part.Backend, part.Workload, part.Threads, first.Phase, first.Backend, first.Workload, first.Threads)
		}
		merged.Processes += max(part.Processes, 1)
		merged.Operations += part.Operations
		merged.RuntimeMs = max(merged.RuntimeMs, part.RuntimeMs)
		if part.Start.Before(merged.Start) {
			merged.Start = part.Start
		}
		for _, s := range part.Ops {
			rec, err := recorderFromStats(s)
			if err != nil {
				return nil, fmt.Errorf("part %d: %w", i, err)
			}
			if have, ok := recorders[s.Name]; ok {
				have.merge(rec)
			} else {
				recorders[s.Name] = rec
			}
		}
	}
	if merged.RuntimeMs > 0 {
		merged.Throughput = float64(merged.Operations) / (merged.RuntimeMs / 1e3)
	}
	ops, err := statsInReportOrder(recorders)
	if err != nil {
		return nil, err
	}
	merged.Ops = ops
	return &merged, nil
}

// reportOrder is the order YCSB users expect operation types in; others follow alphabetically.
var reportOrder = map[string]int{"READ": 0, "UPDATE": 1, "INSERT": 2, "READ-MODIFY-WRITE": 3, "SCAN": 4}

// statsInReportOrder summarises recorders by name in report order.
func statsInReportOrder(recorders map[string]*opRecorder) ([]OpStats, error) {
	names := make([]string, 0, len(recorders))
	for name := range recorders {
		names = append(names, name)
	}
	sort.Slice(names, func(i, j int) bool {
		oi, iKnown := reportOrder[names[i]]
		oj, jKnown := reportOrder[names[j]]
		switch {
		case iKnown && jKnown:
			return oi < oj
		case iKnown != jKnown:
			return iKnown
		}
		return names[i] < names[j]
	})
	ops := make([]OpStats, 0, len(names))
	for _, name := range names {
		s, err := recorders[name].stats(name)
		if err != nil {
			return nil, err
		}
		ops = append(ops, s)
	}
	return ops, nil
}
