package harness

import (
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/plibcached/plibcached/workloads"
)

// Benchmark is one workload against one opened backend: Load inserts the records, Run drives the
// operation mix. It owns the backend (and any server it started) until Close.
type Benchmark struct {
	opts     resolved
	workload *workloads.CoreWorkload
	backend  Backend
	env      Environment
	props    map[string]string
	borrowed bool // derived (Derive): the backend belongs to the parent, which closes it
}

// Prepare validates opts and the workload, sizes and opens the backend (refusing, before anything
// is loaded, a record count that will not fit in memory), and captures the environment.
func Prepare(opts Options) (*Benchmark, error) {
	r, err := resolve(opts)
	if err != nil {
		return nil, err
	}
	w, err := workloads.NewCoreWorkload(opts.Properties)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidOptions, err)
	}
	if w.RecordCount < 1 {
		return nil, fmt.Errorf("%w: recordcount must be at least 1, got %d", ErrInvalidOptions, w.RecordCount)
	}
	cfg := Config{
		RecordCount:     capacityNeeded(w, r.duration),
		MaxKeySize:      w.MaxKeySize(),
		MaxValueSize:    w.MaxValueSize(),
		Workers:         r.totalThreads,
		ServerThreads:   opts.ServerThreads,
		MemcachedBinary: opts.MemcachedBinary,
		Segment:         opts.Segment,
		Attach:          opts.Attach,
		Log:             opts.Log,
	}
	backend, err := Open(opts.Backend, cfg)
	if err != nil {
		return nil, err
	}
	b := &Benchmark{opts: r, workload: w, backend: backend}
	b.env = CaptureEnvironment(opts.Machine, opts.MemcachedBinary)
	b.props = b.effectiveProperties()
	return b, nil
}

// capacityNeeded is the number of records the backend must hold: the loaded ones plus those the
// run phase may insert (for a time-bounded run with inserts, as many again as were loaded).
func capacityNeeded(w *workloads.CoreWorkload, duration time.Duration) int64 {
	if w.InsertProportion <= 0 {
		return w.RecordCount
	}
	if duration > 0 {
		return 2 * w.RecordCount
	}
	return w.RecordCount + int64(math.Ceil(w.InsertProportion*float64(w.OperationCount)*1.1))
}

// formatProportion renders a proportion without trailing zeros.
func formatProportion(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// effectiveProperties returns the given properties plus the values the workload resolved, so
// a result names every property that shaped it, defaults included.
func (b *Benchmark) effectiveProperties() map[string]string {
	props := make(map[string]string, len(b.opts.Properties)+8)
	for k, v := range b.opts.Properties {
		props[k] = v
	}
	w := b.workload
	props["recordcount"] = strconv.FormatInt(w.RecordCount, 10)
	props["operationcount"] = strconv.FormatInt(w.OperationCount, 10)
	props["insertstart"] = strconv.FormatInt(w.InsertStart, 10)
	props["fieldcount"] = strconv.Itoa(w.FieldCount)
	props["fieldlength"] = strconv.Itoa(w.FieldLength)
	props["insertcount"] = strconv.FormatInt(w.InsertCount, 10)
	props["fieldlengthdistribution"] = w.FieldLengthDistribution
	props["readproportion"] = formatProportion(w.ReadProportion)
	props["updateproportion"] = formatProportion(w.UpdateProportion)
	props["insertproportion"] = formatProportion(w.InsertProportion)
	props["readmodifywriteproportion"] = formatProportion(w.ReadModifyWriteProportion)
	props["scanproportion"] = formatProportion(w.ScanProportion)
	props["requestdistribution"] = w.RequestDistribution
	props["zeropadding"] = strconv.Itoa(w.ZeroPadding)
	props["insertorder"] = map[bool]string{true: "ordered", false: "hashed"}[w.Ordered]
	props["insertvisibility"] = w.InsertVisibility
	props["threadcount"] = strconv.Itoa(b.opts.totalThreads)
	props["harness.seed"] = strconv.FormatInt(b.opts.seed, 10)
	if b.opts.duration > 0 {
		props["maxexecutiontime"] = strconv.FormatFloat(b.opts.duration.Seconds(), 'f', -1, 64)
	}
	return props
}

// CheckRun reports whether the run phase has a bound: an operationcount of at least 1, or a
// duration. Run checks it too; callers that load first check it before loading.
func (b *Benchmark) CheckRun() error {
	if b.opts.duration == 0 && b.workload.OperationCount < 1 {
		return fmt.Errorf("%w: operationcount must be at least 1 for a run, or give a duration (-duration, or the maxexecutiontime property)", ErrInvalidOptions)
	}
	return nil
}

// Backend returns the opened backend.
func (b *Benchmark) Backend() Backend { return b.backend }

// Workload returns the workload.
func (b *Benchmark) Workload() *workloads.CoreWorkload { return b.workload }

// Threads returns the number of workers this process runs.
func (b *Benchmark) Threads() int { return b.opts.threads }

// Environment returns the environment captured by Prepare.
func (b *Benchmark) Environment() Environment { return b.env }

// NeedsLoad reports whether a run phase must be preceded by a load phase in this process: true
// unless the backend keeps its contents across processes (see Persistent). A harness-started
// memcached and the gomap start empty.
func (b *Benchmark) NeedsLoad() bool {
	p, ok := b.backend.(Persistent)
	return !ok || !p.Persistent()
}

// Close closes the backend, stopping any server it started. On a benchmark from Derive it only
// detaches: the backend is the parent's to close.
func (b *Benchmark) Close() error {
	if b.backend == nil || b.borrowed {
		b.backend = nil
		return nil
	}
	err := b.backend.Close()
	b.backend = nil
	return err
}

// newResult starts a Result for phase with the run's description filled in.
func (b *Benchmark) newResult(phase string) *Result {
	r := &Result{
		Phase:         phase,
		Backend:       b.opts.Backend,
		Workload:      b.opts.Workload,
		Properties:    b.props,
		Threads:       b.opts.threads,
		Processes:     b.opts.processes,
		ServerThreads: b.serverThreads(),
		Env:           b.env,
	}
	return r
}

// serverThreads is memcached's -t for the memcached backends, else 0.
func (b *Benchmark) serverThreads() int {
	if _, ok := b.backend.(*memcachedBackend); !ok {
		return 0
	}
	if b.opts.ServerThreads > 0 {
		return b.opts.ServerThreads
	}
	return 4
}
