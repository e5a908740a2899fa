package torture

import (
	"time"
)

// Report is what a torture run found. Failures lists every property that did not hold;
// the other fields are the run's figures.
type Report struct {
	// Config is the run's configuration, defaults filled in.
	Config Config
	// Dir holds the histories, worker logs and visualizations (kept when something
	// failed, or asked for).
	Dir string
	// Segment is a copy of the segment as the final check left it, saved when something
	// failed (for cmd/plibctl).
	Segment string

	Kills int // workers SIGKILLed (and replaced)
	// KillsInOp counts, by operation, the kills that landed inside a store call (the rest
	// hit a worker between calls: logging, choosing, verifying).
	KillsInOp       map[string]int
	KillsAtStart    int           // kills of a worker still starting (runtime, Open, slot claim)
	Incarnations    int           // worker processes started
	UnexpectedExits int           // workers that exited without being killed or stopped
	RunTime         time.Duration // the workers' run, until they stopped
	Elapsed         time.Duration // including the final check and porcupine

	Ops            uint64 // operations completed
	SampledOps     uint64 // of which on sampled keys
	OOM            uint64 // stores refused for want of memory
	WorkerFailures uint64 // values that failed verification, unexpected errors, in workers

	MaxLatency  time.Duration // the longest operation
	P999Latency time.Duration // 99.9th percentile of all operations
	P50Latency  time.Duration // the median
	// OpsAtKill operations were in flight when a worker was SIGKILLed (in other workers):
	// MaxLatencyAtKill is the longest of them, the longest wait a death caused (at most),
	// and P999LatencyAtKill their 99.9th percentile.
	OpsAtKill         uint64
	MaxLatencyAtKill  time.Duration
	P999LatencyAtKill time.Duration

	// Hunt is the kill-repairers mode's tally: repairers and reclaimers killed (their
	// kills are in Kills too), lock holders killed.
	Hunt HuntCounts
	// Stop mode: workers stopped (SIGSTOP, then SIGCONT), how many for longer than
	// LockTimeout, how many holding a lock, their total and longest stop.
	Stops, StopsOverTimeout   int
	StopsHoldingLock          int
	StoppedTotal, LongestStop time.Duration
	// Busy counts operations that returned ErrBusy (recorded as having changed nothing),
	// BusyAtStart the workers' session claims that did.
	Busy, BusyAtStart uint64
	// LongestOpSeen is the longest time the watchdog saw an operation in flight, not
	// counting the time its own worker was stopped (sampled: a lower bound of the worst).
	LongestOpSeen     time.Duration
	LongestOpSeenWhat string // which operation that was

	Final *FinalCheck // the final check; nil if it did not complete
	Model string      // the model porcupine checked with: "strict" or "evict"
	Keys  []KeyResult // one per sampled key

	// Failures lists every property that did not hold, in words.
	Failures []string
}

// OK reports whether the run found nothing wrong.
func (r *Report) OK() bool { return len(r.Failures) == 0 }

// Linearizable reports whether every sampled key's history was checked and found
// linearizable.
func (r *Report) Linearizable() bool {
	if len(r.Keys) == 0 {
		return false
	}
	for _, k := range r.Keys {
		if k.Result != "Ok" {
			return false
		}
	}
	return true
}

// BusyChecked is the number of busy results porcupine checked, over all sampled keys.
func (r *Report) BusyChecked() int {
	n := 0
	for _, k := range r.Keys {
		n += k.Busy
	}
	return n
}

// CheckedOps is the number of operations porcupine checked, over all sampled keys.
func (r *Report) CheckedOps() int {
	n := 0
	for _, k := range r.Keys {
		n += k.Ops
	}
	return n
}
