package torture

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/plibcached/plibcached/plib"
)

// runner is one torture run in the parent process.
type runner struct {
	cfg   Config
	exe   string
	dir   string
	path  string
	r     *rand.Rand
	rep   *Report
	mu    sync.Mutex // guards live, all, abort and rep.Failures
	live  []*proc    // by worker slot
	all   []*proc    // every worker incarnation
	abort string     // why the run stopped early
	ids   uint64     // last incarnation id
	kills []int64    // CLOCK_MONOTONIC ns of each kill
}

// Run runs a torture test: Workers processes on one segment, SIGKILLed and replaced Kills
// times, then stopped, recovered, checked and read back; every history of a sampled key
// is checked for linearizability. The Report lists every failure found; the error is for a
// run that could not be carried out at all.
func Run(cfg Config) (*Report, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	rn := &runner{cfg: cfg, r: rand.New(rand.NewPCG(uint64(cfg.Seed), 0x70727475)), rep: &Report{Config: cfg}}
	if err := rn.setup(); err != nil {
		return nil, err
	}
	defer os.Remove(rn.path)
	start := time.Now()
	for slot := range cfg.Workers {
		if err := rn.spawn(slot); err != nil {
			rn.stopAll()
			return nil, err
		}
	}
	stopWatch := rn.watchdog()
	rn.killLoop(start)
	stopWatch()
	rn.stopAll()
	rn.rep.RunTime = time.Since(start)
	rn.final()
	rn.analyse()
	rn.rep.Elapsed = time.Since(start)
	if rn.rep.OK() && !cfg.Keep && cfg.Dir == "" {
		os.RemoveAll(rn.dir)
		rn.rep.Dir = ""
	}
	return rn.rep, nil
}

// setup makes the output directory and creates the segment.
func (rn *runner) setup() error {
	var err error
	if rn.exe = rn.cfg.Executable; rn.exe == "" {
		if rn.exe, err = os.Executable(); err != nil {
			return err
		}
	}
	if rn.dir = rn.cfg.Dir; rn.dir == "" {
		if rn.dir, err = os.MkdirTemp("", "plibcached-torture-"); err != nil {
			return err
		}
	} else if err := os.MkdirAll(rn.dir, 0o755); err != nil {
		return err
	}
	if rn.dir, err = filepath.Abs(rn.dir); err != nil {
		return err
	}
	rn.rep.Dir = rn.dir
	rn.path = filepath.Join("/dev/shm", fmt.Sprintf("plibcached-torture-%d-%d", os.Getpid(), time.Now().UnixNano()))
	c, err := plib.Open(rn.path, plib.Options{
		Size: rn.cfg.SegmentSize, MaxItemSize: rn.cfg.MaxItemSize, MaxClients: rn.cfg.MaxClients,
		ExpectedItems: rn.cfg.ExpectedItems, Protection: plib.ModeNoPKU,
	})
	if err != nil {
		return fmt.Errorf("torture: creating the segment: %w", err)
	}
	return c.Close()
}

func (rn *runner) spec(role string, id uint64, slot int) spec {
	c := rn.cfg
	return spec{Role: role, Path: rn.path, Dir: rn.dir, ID: id, Slot: slot, Seed: c.Seed,
		SampledKeys: c.SampledKeys, SampleShare: c.SampleShare, BulkKeys: c.BulkKeys, MaxValue: c.MaxValue, Fault: c.fault}
}

// spawn starts a new worker incarnation in slot.
func (rn *runner) spawn(slot int) error {
	rn.mu.Lock()
	defer rn.mu.Unlock()
	rn.ids++
	p, err := startProc(rn.exe, rn.spec("worker", rn.ids, slot))
	if err != nil {
		return err
	}
	if len(rn.live) <= slot {
		rn.live = append(rn.live, make([]*proc, slot+1-len(rn.live))...)
	}
	rn.live[slot] = p
	rn.all = append(rn.all, p)
	return nil
}

func (rn *runner) fail(format string, args ...any) {
	rn.mu.Lock()
	rn.rep.Failures = append(rn.rep.Failures, fmt.Sprintf(format, args...))
	rn.mu.Unlock()
}

// stop ends the run early (the first reason is kept).
func (rn *runner) stop(why string) {
	rn.mu.Lock()
	if rn.abort == "" {
		rn.abort = why
	}
	rn.mu.Unlock()
}

func (rn *runner) aborted() bool {
	rn.mu.Lock()
	defer rn.mu.Unlock()
	return rn.abort != ""
}

// maxUnexpectedExits ends a run whose workers keep dying on their own.
const maxUnexpectedExits = 20

// killLoop kills a random ready worker after a random delay, waits for it and starts its
// replacement, Kills times (and for at least MinRun); it also restarts workers that exited
// on their own, which is a failure.
func (rn *runner) killLoop(start time.Time) {
	c := rn.cfg
	for rn.rep.Kills < c.Kills || time.Since(start) < c.MinRun {
		if rn.aborted() {
			return
		}
		time.Sleep(c.MinDelay + time.Duration(rn.r.Int64N(int64(c.MaxDelay-c.MinDelay)+1)))
		rn.reapUnexpected()
		if rn.rep.Kills >= c.Kills {
			continue
		}
		victim := rn.pickReady()
		if victim == nil {
			continue
		}
		t := monoNow()
		victim.killed.Store(true)
		victim.signal(syscall.SIGKILL)
		if !victim.wait(c.Hang) {
			rn.fail("worker %d (pid %d) did not die within %v of SIGKILL", victim.sp.ID, victim.cmd.Process.Pid, c.Hang)
			rn.stop("a SIGKILLed worker did not die")
			return
		}
		rn.kills = append(rn.kills, t)
		rn.rep.Kills++
		if err := rn.spawn(victim.sp.Slot); err != nil {
			rn.fail("starting a worker: %v", err)
			rn.stop("cannot start workers")
			return
		}
	}
}

// pickReady returns a random live worker that is ready (has its session), waiting up to
// Hang for one.
func (rn *runner) pickReady() *proc {
	deadline := time.Now().Add(rn.cfg.Hang)
	for time.Now().Before(deadline) && !rn.aborted() {
		rn.mu.Lock()
		var ready []*proc
		for _, p := range rn.live {
			if p.isReady() && !p.exited() {
				ready = append(ready, p)
			}
		}
		rn.mu.Unlock()
		if len(ready) > 0 {
			return ready[rn.r.IntN(len(ready))]
		}
		time.Sleep(time.Millisecond)
		rn.reapUnexpected()
	}
	return nil
}

// reapUnexpected records and replaces workers that exited without being killed.
func (rn *runner) reapUnexpected() {
	for slot := range rn.cfg.Workers {
		rn.mu.Lock()
		p := rn.live[slot]
		rn.mu.Unlock()
		if p.killed.Load() || p.hung() != "" || !p.exited() {
			continue
		}
		rn.rep.UnexpectedExits++
		rn.fail("worker %d exited on its own (%s): %v", p.sp.ID, p.status(), p.failLines(true))
		if rn.rep.UnexpectedExits >= maxUnexpectedExits {
			rn.stop(fmt.Sprintf("%d workers exited on their own", rn.rep.UnexpectedExits))
			return
		}
		p.killed.Store(true) // accounted for
		if err := rn.spawn(slot); err != nil {
			rn.fail("starting a worker: %v", err)
			rn.stop("cannot start workers")
			return
		}
	}
}
