package harness

import (
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/plibcached/plibcached/workloads"
)

// Options configures a Benchmark: which backend, which workload, how many workers, for how long.
type Options struct {
	// Backend is a registered backend name.
	Backend string
	// Properties are the workload's properties (workloads.LoadProperties).
	Properties workloads.Properties
	// Workload names the workload in results, e.g. "workloadb"; "" means "custom".
	Workload string

	// Threads is the number of workers in this process; 0 uses the threadcount property, else 1.
	Threads int
	// Processes, ThreadBase and TotalThreads place this process in a multi-process run: its
	// workers are threads ThreadBase .. ThreadBase+Threads-1 of TotalThreads, which decides their
	// share of the load and the operation count and their random streams. Zero values mean a
	// single process.
	Processes    int
	ThreadBase   int
	TotalThreads int

	// Segment is the plib segment file that the processes of a multi-process run share; ""
	// gives a plib backend a private segment.
	Segment string
	// Attach names the server of another process (memcached, redis) that the processes of a
	// multi-process run share, as Config.Attach.
	Attach string

	// ServerThreads is memcached's -t; 0 means 4.
	ServerThreads int
	// Duration bounds the run phase by time instead of operationcount; 0 uses the
	// maxexecutiontime property (seconds), else operationcount alone.
	Duration time.Duration
	// Warmup is run before measurement starts; its operations are neither recorded nor counted.
	Warmup time.Duration
	// Seed seeds the workers' random streams; 0 picks one from the clock (recorded in the result).
	Seed int64

	// MemcachedBinary overrides the search for memcached.
	MemcachedBinary string
	// Machine is a free-form label recorded in the environment.
	Machine string

	// Progress receives the progress display: a bar with rate and ETA when it is a terminal, a
	// plain line every ProgressInterval (default 10 s) otherwise. nil shows nothing.
	Progress         io.Writer
	ProgressInterval time.Duration
	// Log receives one-line notices (server started, implicit load); nil discards them.
	Log func(format string, args ...any)
}

// resolved holds the options after defaults and validation.
type resolved struct {
	Options
	threads, totalThreads, processes int
	duration                         time.Duration
	seed                             int64
}

// resolve applies defaults and checks every option and the properties the harness itself reads.
func resolve(opts Options) (resolved, error) {
	r := resolved{Options: opts}
	var err error
	if opts.Backend == "" {
		return r, fmt.Errorf("%w: no backend given", ErrInvalidOptions)
	}
	if r.threads, err = intOption(opts.Threads, opts.Properties, "threadcount", 1); err != nil {
		return r, err
	}
	if r.threads < 1 {
		return r, fmt.Errorf("%w: threads must be at least 1, got %d", ErrInvalidOptions, r.threads)
	}
	r.totalThreads = max(opts.TotalThreads, r.threads)
	if opts.ThreadBase < 0 || opts.ThreadBase+r.threads > r.totalThreads {
		return r, fmt.Errorf("%w: threads %d..%d do not fit in %d total threads", ErrInvalidOptions,
			opts.ThreadBase, opts.ThreadBase+r.threads-1, r.totalThreads)
	}
	r.processes = max(opts.Processes, 1)
	if r.duration, err = durationOption(opts.Duration, opts.Properties, "maxexecutiontime"); err != nil {
		return r, err
	}
	if opts.Warmup < 0 {
		return r, fmt.Errorf("%w: negative warm-up %v", ErrInvalidOptions, opts.Warmup)
	}
	if scan, ok := opts.Properties["scanproportion"]; ok {
		if f, err := strconv.ParseFloat(scan, 64); err == nil && f > 0 {
			return r, fmt.Errorf("%w: scanproportion=%s: memcached has no SCAN, and neither has any backend here", ErrUnsupportedOp, scan)
		}
	}
	r.seed = opts.Seed
	if r.seed == 0 {
		r.seed = time.Now().UnixNano()
	}
	if r.Workload == "" {
		r.Workload = "custom"
	}
	return r, nil
}

// intOption returns given if positive, else the property, else def.
func intOption(given int, props workloads.Properties, name string, def int) (int, error) {
	if given != 0 {
		return given, nil
	}
	s, ok := props[name]
	if !ok {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("%w: property %s=%q is not an integer", ErrInvalidOptions, name, s)
	}
	return n, nil
}

// durationOption returns given if set, else the property in seconds, else 0.
func durationOption(given time.Duration, props workloads.Properties, name string) (time.Duration, error) {
	if given < 0 {
		return 0, fmt.Errorf("%w: negative duration %v", ErrInvalidOptions, given)
	}
	if given > 0 {
		return given, nil
	}
	s, ok := props[name]
	if !ok {
		return 0, nil
	}
	secs, err := strconv.ParseFloat(s, 64)
	if err != nil || secs < 0 {
		return 0, fmt.Errorf("%w: property %s=%q is not a number of seconds", ErrInvalidOptions, name, s)
	}
	return time.Duration(secs * float64(time.Second)), nil
}
