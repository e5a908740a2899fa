package harness

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"time"
)

// DefaultLatencyBackends are the latency table's columns: the paper's three (memcached, plib with
// PKU, plib without), then the fairest socket baseline and the in-process floor, then the peers
// a user would pick instead (Redis over TCP and a unix socket, LMDB), as context.
var DefaultLatencyBackends = []string{"memcached", "plib-pku", "plib-nopku", "memcached-unix", "gomap", "redis", "redis-unix", "lmdb"}

// LatencyOperations are the table's rows, the paper's (slide 15), in its order.
var LatencyOperations = []string{"Get 128B", "Get 5KB", "Set 128B", "Set 5KB", "Delete", "Increment"}

// LatencyOptions configures MeasureLatency. Zero fields take the defaults in brackets.
type LatencyOptions struct {
	Backends     []string // columns, in order [DefaultLatencyBackends]
	Records      int64    // records with SmallValue-byte values, read and overwritten by Get/Set 128B [100000]
	LargeRecords int64    // records with LargeValue-byte values, for Get/Set 5KB [Records/10]
	Samples      int      // timed samples per cell [10000]
	BatchSize    int      // operations per timed batch for fast operations [32]
	// BatchBelow: an operation whose pilot mean is under this is timed in batches [2µs].
	BatchBelow    time.Duration
	SmallValue    int // bytes [128]
	LargeValue    int // bytes [5120]
	Counters      int // counters for Increment [1000]
	ServerThreads int // memcached -t [4]
	// SpeedupBaseline and SpeedupOver define the speedup column: baseline mean over the mean of
	// the first available of SpeedupOver ["memcached"; "plib-pku", "plib-nopku"].
	SpeedupBaseline string
	SpeedupOver     []string
	MemcachedBinary string
	Machine         string
	Seed            int64                            // key choice [1]
	Progress        io.Writer                        `json:"-"` // preload progress; nil shows nothing
	Log             func(format string, args ...any) `json:"-"`
}

// withDefaults fills in zero fields.
func (o LatencyOptions) withDefaults() LatencyOptions {
	if len(o.Backends) == 0 {
		o.Backends = DefaultLatencyBackends
	}
	setDefault(&o.Records, 100000)
	setDefault(&o.LargeRecords, max(o.Records/10, 1))
	setDefault(&o.Samples, 10000)
	setDefault(&o.BatchSize, 32)
	setDefault(&o.BatchBelow, 2*time.Microsecond)
	setDefault(&o.SmallValue, 128)
	setDefault(&o.LargeValue, 5120)
	setDefault(&o.Counters, 1000)
	setDefault(&o.ServerThreads, 4)
	setDefault(&o.SpeedupBaseline, "memcached")
	if len(o.SpeedupOver) == 0 {
		o.SpeedupOver = []string{"plib-pku", "plib-nopku"}
	}
	setDefault(&o.Seed, 1)
	return o
}

// setDefault sets *v to def when it is the zero value.
func setDefault[T comparable](v *T, def T) {
	var zero T
	if *v == zero {
		*v = def
	}
}

// validate rejects options that cannot be measured.
func (o LatencyOptions) validate() error {
	switch {
	case o.Records < 1 || o.LargeRecords < 1:
		return fmt.Errorf("%w: records (%d) and large records (%d) must be positive", ErrInvalidOptions, o.Records, o.LargeRecords)
	case o.Samples < 1 || o.BatchSize < 1 || o.Counters < 1:
		return fmt.Errorf("%w: samples, batch size and counters must be positive", ErrInvalidOptions)
	case o.SmallValue < minLatencyValue || o.LargeValue < minLatencyValue:
		return fmt.Errorf("%w: value sizes must be at least %d bytes (a checksummed value's header)", ErrInvalidOptions, minLatencyValue)
	}
	seen := map[string]bool{}
	for _, name := range o.Backends {
		if seen[name] {
			return fmt.Errorf("%w: backend %s listed twice", ErrInvalidOptions, name)
		}
		seen[name] = true
	}
	return nil
}

// MeasureLatency measures every operation of LatencyOperations on every backend of opts, one
// backend at a time and one client thread, and returns the table. A backend that is not
// registered or cannot run here (its open function returns an error wrapping ErrUnavailable)
// becomes a skipped column; any other failure, a corrupt read included, is returned.
func MeasureLatency(ctx context.Context, opts LatencyOptions) (*LatencyTable, error) {
	opts = opts.withDefaults()
	if err := opts.validate(); err != nil {
		return nil, err
	}
	table := &LatencyTable{
		Options: opts,
		Env:     CaptureEnvironment(opts.Machine, opts.MemcachedBinary),
		Clock:   CalibrateClock(100000),
		Rows:    LatencyOperations,
	}
	for _, name := range opts.Backends {
		col, err := measureBackend(ctx, name, opts, table.Clock)
		if err != nil {
			return nil, err
		}
		table.Columns = append(table.Columns, col)
	}
	table.computeSpeedup()
	return table, nil
}

// measureBackend opens, preloads and measures one backend; it is closed before the next opens.
func measureBackend(ctx context.Context, name string, opts LatencyOptions, clock ClockCost) (LatencyColumn, error) {
	col := LatencyColumn{Backend: name}
	if !Registered(name) {
		col.Skipped = "not registered in this build"
		return col, nil
	}
	plan := newLatencyPlan(opts)
	backend, err := Open(name, plan.config(opts))
	if errors.Is(err, ErrUnavailable) {
		col.Skipped = err.Error()
		return col, nil
	}
	if err != nil {
		return col, err
	}
	defer backend.Close()
	if opts.Log != nil {
		opts.Log("%s: preloading %d records", name, plan.preloadCount())
	}
	if err := plan.preload(ctx, backend, opts.Progress); err != nil {
		return col, fmt.Errorf("%s: preload: %w", name, err)
	}
	w, err := backend.NewWorker()
	if err != nil {
		return col, fmt.Errorf("%s: %w", name, err)
	}
	defer w.Close()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	for _, op := range plan.operations(w) {
		if err := ctx.Err(); err != nil {
			return col, fmt.Errorf("latency interrupted: %w", context.Cause(ctx))
		}
		cell, err := measureCell(op, opts, clock)
		if err != nil {
			return col, fmt.Errorf("%s: %s: %w", name, op.name(), err)
		}
		if err := op.finish(); err != nil {
			return col, fmt.Errorf("%s: %s: %w", name, op.name(), err)
		}
		if opts.Log != nil {
			opts.Log("%s: %s: mean %.3f µs (%s)", name, op.name(), cell.MeanNs/1e3, cell.Method())
		}
		col.Cells = append(col.Cells, cell)
	}
	return col, nil
}
