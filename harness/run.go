package harness

import (
	"context"
	"fmt"
)

// Run drives the workload's operation mix with this process's workers in a closed loop: each
// worker issues its next operation as soon as the last one returns. It runs for the duration if
// one was given (Options.Duration), otherwise until the workers have done their shares of
// operationcount (or maxexecutiontime passes, YCSB's property, whichever comes first). Warm-up
// operations are neither recorded nor counted. Every read is verified; a corrupt value or a
// backend error stops the run with that error, and cancelling ctx stops it with ctx's cause.
func (b *Benchmark) Run(ctx context.Context) (*Result, error) {
	if err := b.CheckRun(); err != nil {
		return nil, err
	}
	p, err := b.newPhase("run")
	if err != nil {
		return nil, err
	}
	defer p.close()
	quotas := make([]int64, len(p.slots))
	var total int64
	for i, s := range p.slots {
		quotas[i] = -1 // until stopped
		if !b.durationOnly() {
			quotas[i] = shareOf(b.workload.OperationCount, s.index, b.opts.totalThreads)
			total += quotas[i]
		}
	}
	prog := b.newProgress("run", "ops", total, b.opts.duration, p.completed)
	timing, err := p.execute(ctx, b.opts.Warmup, b.opts.duration, prog, func(s *workerSlot) error {
		return b.runWorker(p, s, quotas[s.index-b.opts.ThreadBase])
	})
	if err != nil {
		return nil, err
	}
	var done int64
	for _, s := range p.slots {
		done += s.measured
	}
	r := b.newResult("run")
	r.WarmupMs = float64(b.opts.Warmup.Milliseconds())
	if r, err = p.result(r, timing, done); err != nil {
		return nil, err
	}
	r.Notes = append(r.Notes, b.missNotes(r)...)
	return r, nil
}

// missNotes explains misses in a run's result. Under insertvisibility=thread (the workloads
// package's default) a reader assumes every thread has inserted as many records as its own, so
// it can choose one not inserted yet: a miss that says nothing about the store.
func (b *Benchmark) missNotes(r *Result) []string {
	var misses int64
	for _, op := range r.Ops {
		if op.Name != "READ-MODIFY-WRITE" { // its misses are counted under READ too
			misses += op.NotFound
		}
	}
	if misses == 0 {
		return nil
	}
	if b.workload.InsertProportion > 0 && b.workload.InsertVisibility != "acknowledged" {
		return []string{fmt.Sprintf("%d reads missed: under insertvisibility=%s a thread may read a record another thread has not inserted yet; -p insertvisibility=acknowledged avoids it", misses, b.workload.InsertVisibility)}
	}
	return []string{fmt.Sprintf("%d reads missed records that were loaded: the store lost them (evicted?)", misses)}
}

// runWorker is one run worker's closed loop. A negative quota means "until stopped".
func (b *Benchmark) runWorker(p *phaseRun, s *workerSlot, quota int64) error {
	w := b.workload
	t := w.NewThread(s.index, b.opts.totalThreads, b.opts.seed)
	var completed int64
	for (quota < 0 || s.measured < quota) && !p.stop.Load() {
		record := p.measuring.Load()
		if err := s.do(w, t, t.Next(), record); err != nil {
			return err
		}
		if record {
			s.measured++
		}
		completed++
		s.done.Store(completed)
	}
	return t.Err() // a misused Acknowledge is a harness bug; say so rather than report skewed reads
}

// durationOnly reports whether the run is bounded by time alone: a Duration option, or
// maxexecutiontime with operationcount=0.
func (b *Benchmark) durationOnly() bool {
	return b.opts.Duration > 0 || (b.opts.duration > 0 && b.workload.OperationCount == 0)
}

// shareOf is thread's share of n operations split over threads, the remainder going to the
// lowest-numbered threads (YCSB's split).
func shareOf(n int64, thread, threads int) int64 {
	share := n / int64(threads)
	if int64(thread) < n%int64(threads) {
		share++
	}
	return share
}
