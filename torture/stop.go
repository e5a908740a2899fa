package torture

import (
	"math"
	"math/rand/v2"
	"sync"
	"time"
)

// Stop mode. Stoppers SIGSTOP random live workers, each for a random time between MinStop
// and MaxStop (log-uniform, so that many stops are shorter than the workers' LockTimeout
// and many longer), then SIGCONT them; each stopper waits up to stopGap between stops. It
// prefers workers that hold a lock (stopHolder) in an operation on a sampled key (stopOne):
// a worker stopped at random is mostly between critical sections. A worker stopped inside
// one keeps its locks: the others' calls that need
// them must give up with ErrBusy after LockTimeout, changing nothing, and go on. The
// workers record a busy result as an operation that had no effect, which the model checks;
// the watchdog does not count a worker's stopped time, and declares hung any operation
// that runs longer than BusyHang besides (so a call that waits for a stopped client
// without bound is caught). The killer may SIGKILL a stopped worker: SIGKILL needs no
// SIGCONT.

// stopGap bounds the pause between one stopper's stops.
const stopGap = 20 * time.Millisecond

// stopCounts is the stoppers' tally, copied into the Report when they end.
type stopCounts struct {
	mu                    sync.Mutex
	stops, overTimeout    int
	holders               int
	stoppedTotal, longest time.Duration
}

// stoppers starts the stoppers, one for every two workers, and returns their stop, which
// resumes every worker they stopped and records their figures in the report.
func (rn *runner) stoppers() (stop func()) {
	if !rn.cfg.Stop {
		return func() {}
	}
	quit := make(chan struct{})
	var wg sync.WaitGroup
	var n stopCounts
	for i := range max(1, rn.cfg.Workers/2) {
		r := rand.New(rand.NewPCG(uint64(rn.cfg.Seed), 0x73746f70+uint64(i)))
		wg.Go(func() { rn.stopLoop(r, quit, &n) })
	}
	return func() {
		close(quit)
		wg.Wait()
		rn.rep.Stops, rn.rep.StopsOverTimeout, rn.rep.StopsHoldingLock = n.stops, n.overTimeout, n.holders
		rn.rep.StoppedTotal, rn.rep.LongestStop = n.stoppedTotal, n.longest
	}
}

func (rn *runner) stopLoop(r *rand.Rand, quit chan struct{}, n *stopCounts) {
	c := rn.cfg
	for {
		select {
		case <-quit:
			return
		case <-time.After(time.Duration(r.Int64N(int64(stopGap)))):
		}
		p, holder := rn.stopOne(r)
		if p == nil {
			continue
		}
		lo, hi := math.Log(float64(c.MinStop)), math.Log(float64(c.MaxStop))
		d := time.Duration(math.Exp(lo + r.Float64()*(hi-lo)))
		start := time.Now()
		select {
		case <-quit:
		case <-p.done: // killed while stopped
		case <-time.After(d):
		}
		p.cont()
		took := time.Since(start)
		n.mu.Lock()
		n.stops++
		if holder {
			n.holders++
		}
		if took > c.LockTimeout {
			n.overTimeout++
		}
		n.stoppedTotal += took
		n.longest = max(n.longest, took)
		n.mu.Unlock()
	}
}

// stopTries is how many workers a stopper stops and probes, in turn, for one that holds a
// lock in an operation on a sampled key (the stops that make others wait: the sampled keys
// are contended), before it settles for the last one that held a lock, or the last.
const stopTries = 12

// stopOne stops a random live worker, preferring one that holds a lock (stopHolder) in an
// operation on a sampled key, and reports whether it holds a lock. Nil if there is none
// to stop.
func (rn *runner) stopOne(r *rand.Rand) (*proc, bool) {
	var holder *proc // stopped, holding a lock on some other key
	for try := 1; ; try++ {
		rn.mu.Lock()
		var cand []*proc
		for _, p := range rn.live {
			if p != nil && !p.exited() && !p.killed.Load() && !p.isStopped() {
				cand = append(cand, p)
			}
		}
		rn.mu.Unlock()
		if len(cand) == 0 {
			if holder != nil {
				return holder, true
			}
			return nil, false
		}
		p := cand[r.IntN(len(cand))]
		held := rn.stopHolder(p)
		if held && (holder != nil || rn.onSampledKey(p)) {
			if holder != nil && holder != p {
				holder.cont()
			}
			return p, true
		}
		switch {
		case try == stopTries && holder != nil:
			p.cont()
			return holder, true
		case try == stopTries:
			return p, held
		case held:
			holder = p // keep it stopped while looking for a better one
		default:
			p.cont()
		}
		time.Sleep(time.Duration(r.Int64N(int64(time.Millisecond))))
	}
}

// onSampledKey reports whether worker p has an operation on a sampled key in flight.
func (rn *runner) onSampledKey(p *proc) bool {
	s, err := readStats(rn.dir, p.sp.ID)
	return err == nil && s.InflightSince != 0 && int(s.InflightKey) < rn.cfg.SampledKeys
}
