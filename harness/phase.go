package harness

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// phaseRun is one phase's workers and the flags that steer them. Workers poll stop and measuring
// once per operation: two atomic loads, no channel, no lock.
type phaseRun struct {
	name      string
	slots     []*workerSlot
	stop      atomic.Bool
	measuring atomic.Bool
	errOnce   sync.Once
	err       error
}

// phaseTiming is when measurement began and ended.
type phaseTiming struct {
	start, end time.Time
}

// newPhase opens one worker per thread of this process.
func (b *Benchmark) newPhase(name string) (*phaseRun, error) {
	p := &phaseRun{name: name}
	for i := 0; i < b.opts.threads; i++ {
		w, err := b.backend.NewWorker()
		if err != nil {
			p.close()
			return nil, fmt.Errorf("%s: worker %d: %w", b.backend.Name(), i, err)
		}
		p.slots = append(p.slots, &workerSlot{index: b.opts.ThreadBase + i, backend: b.backend.Name(), worker: w})
	}
	return p, nil
}

// close closes the workers.
func (p *phaseRun) close() {
	for _, s := range p.slots {
		s.worker.Close()
	}
}

// fail records the first error and stops every worker.
func (p *phaseRun) fail(err error) {
	p.errOnce.Do(func() { p.err = err })
	p.stop.Store(true)
}

// completed is the number of operations all workers have finished, for the progress display.
func (p *phaseRun) completed() int64 {
	var n int64
	for _, s := range p.slots {
		n += s.done.Load()
	}
	return n
}

// execute runs body on every slot, each in a goroutine locked to its own OS thread, released
// together. Measurement starts after warmup and, when limit is set, stops limit later; ctx's
// cancellation stops everything and is returned as the phase's error.
func (p *phaseRun) execute(ctx context.Context, warmup, limit time.Duration, prog *progress, body func(*workerSlot) error) (phaseTiming, error) {
	release := make(chan struct{})
	var wg sync.WaitGroup
	for _, s := range p.slots {
		wg.Add(1)
		go func() {
			defer wg.Done()
			runtime.LockOSThread()
			defer runtime.UnlockOSThread() // a thread that exits locked is destroyed; keep it
			<-release
			if err := body(s); err != nil {
				p.fail(err)
			}
		}()
	}
	allDone := make(chan struct{})
	go func() { wg.Wait(); close(allDone) }()

	var timing phaseTiming
	var warmupDone, limitReached <-chan time.Time
	if warmup > 0 {
		warmupDone = time.After(warmup)
	} else {
		p.measuring.Store(true)
	}
	timing.start = time.Now()
	close(release)
	if warmup == 0 && limit > 0 {
		limitReached = time.After(limit)
	}
	prog.begin(timing.start.Add(warmup))
	for waiting := true; waiting; {
		select {
		case <-allDone:
			waiting = false
		case <-warmupDone:
			timing.start = time.Now()
			p.measuring.Store(true)
			prog.begin(timing.start)
			if limit > 0 {
				limitReached = time.After(limit)
			}
		case <-limitReached:
			p.stop.Store(true)
		case <-ctx.Done():
			p.fail(fmt.Errorf("%s interrupted: %w", p.name, context.Cause(ctx)))
			ctx = context.Background() // fire once
		}
	}
	timing.end = time.Now()
	prog.finish(p.err == nil)
	return timing, p.err
}

// result merges the workers' recorders into r and fills in the timing and throughput.
func (p *phaseRun) result(r *Result, timing phaseTiming, operations int64) (*Result, error) {
	merged := map[string]*opRecorder{}
	for _, s := range p.slots {
		for kind, rec := range s.recorders {
			if rec == nil {
				continue
			}
			name := kindNames[kind]
			if have, ok := merged[name]; ok {
				have.merge(rec)
			} else {
				merged[name] = rec
			}
		}
	}
	ops, err := statsInReportOrder(merged)
	if err != nil {
		return nil, err
	}
	r.Ops = ops
	r.Start = timing.start.UTC()
	r.RuntimeMs = float64(timing.end.Sub(timing.start)) / float64(time.Millisecond)
	r.Operations = operations
	if r.RuntimeMs > 0 {
		r.Throughput = float64(operations) / (r.RuntimeMs / 1e3)
	}
	return r, nil
}
