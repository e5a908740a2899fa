package harness

import (
	"fmt"
	"io"
	"time"

	"github.com/plibcached/plibcached/workloads"
)

// Variant says how a benchmark derived by Derive differs from its parent. Zero fields keep the
// parent's value, except Progress, which is nil (no display) unless given.
type Variant struct {
	// Threads is the number of workers; at most the parent's, whose count sized the backend
	// (client slots, server connections).
	Threads int
	// Properties replace the parent's workload properties. They must describe the same record
	// set (record count, key names, value sizes): only the operation mix, the request
	// distribution and the run's bounds may differ. nil keeps the parent's workload.
	Properties workloads.Properties
	// Workload names the workload in results; "" keeps the parent's name when Properties is nil
	// and means "custom" otherwise.
	Workload string
	// Duration, Warmup and Seed are as in Options.
	Duration time.Duration
	Warmup   time.Duration
	Seed     int64
	// Progress and ProgressInterval are as in Options.
	Progress         io.Writer
	ProgressInterval time.Duration
}

// Derive returns a benchmark that runs on b's backend, with the records b loaded still in it,
// but with other thread counts, workload mixes or bounds: a thread sweep, or a second workload
// over one loaded store, needs one expensive load instead of one per point. The derived
// benchmark shares b's environment; its Close only detaches (b closes the backend), and it must
// not be used after b is closed. Phases of b and of the benchmarks derived from it must not run
// at the same time. Derive refuses a multi-process b, more threads than b has, and properties
// whose record set differs from b's or that need more capacity than b's backend was sized for.
func (b *Benchmark) Derive(v Variant) (*Benchmark, error) {
	if b.backend == nil {
		return nil, fmt.Errorf("%w: derive from a closed benchmark", ErrInvalidOptions)
	}
	if b.opts.processes > 1 || b.opts.totalThreads != b.opts.threads {
		return nil, fmt.Errorf("%w: derive from a multi-process benchmark", ErrInvalidOptions)
	}
	threads := v.Threads
	if threads == 0 {
		threads = b.opts.threads
	}
	if threads < 1 || threads > b.opts.threads {
		return nil, fmt.Errorf("%w: derived threads %d: want 1..%d (the parent's, which sized the backend)", ErrInvalidOptions, threads, b.opts.threads)
	}
	opts := b.opts.Options
	opts.Threads, opts.TotalThreads, opts.Processes, opts.ThreadBase = threads, 0, 0, 0
	opts.Warmup, opts.Seed = v.Warmup, v.Seed
	opts.Progress, opts.ProgressInterval = v.Progress, v.ProgressInterval
	if v.Duration != 0 {
		opts.Duration = v.Duration
	}
	if v.Properties != nil {
		opts.Properties = v.Properties
		opts.Workload = v.Workload
	} else if v.Workload != "" {
		opts.Workload = v.Workload
	}
	r, err := resolve(opts)
	if err != nil {
		return nil, err
	}
	w := b.workload
	if v.Properties != nil {
		if w, err = workloads.NewCoreWorkload(v.Properties); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInvalidOptions, err)
		}
		if err := sameRecordSet(b.workload, w); err != nil {
			return nil, err
		}
	}
	if need, have := capacityNeeded(w, r.duration), capacityNeeded(b.workload, b.opts.duration); need > have {
		return nil, fmt.Errorf("%w: derived run may hold %d records; the backend was sized for %d", ErrInvalidOptions, need, have)
	}
	d := &Benchmark{opts: r, workload: w, backend: b.backend, env: b.env, borrowed: true}
	d.props = d.effectiveProperties()
	return d, nil
}

// sameRecordSet reports, as an error naming the first difference, whether two workloads load
// different records: a run verifies what it reads against the records its own workload names.
func sameRecordSet(loaded, next *workloads.CoreWorkload) error {
	type field struct {
		name      string
		was, want any
	}
	last := max(loaded.RecordCount-1, 0)
	fields := []field{
		{"recordcount", loaded.RecordCount, next.RecordCount},
		{"insertstart", loaded.InsertStart, next.InsertStart},
		{"insertcount", loaded.InsertCount, next.InsertCount},
		{"fieldcount", loaded.FieldCount, next.FieldCount},
		{"fieldlength", loaded.FieldLength, next.FieldLength},
		{"minfieldlength", loaded.MinFieldLength, next.MinFieldLength},
		{"fieldlengthdistribution", loaded.FieldLengthDistribution, next.FieldLengthDistribution},
		{"zeropadding", loaded.ZeroPadding, next.ZeroPadding},
		{"insertorder", loaded.Ordered, next.Ordered},
		{"first key", string(loaded.KeyName(nil, 0)), string(next.KeyName(nil, 0))},
		{"last key", string(loaded.KeyName(nil, last)), string(next.KeyName(nil, last))},
	}
	for _, f := range fields {
		if f.was != f.want {
			return fmt.Errorf("%w: derived workload loads other records: %s %v, loaded %v", ErrInvalidOptions, f.name, f.want, f.was)
		}
	}
	return nil
}
