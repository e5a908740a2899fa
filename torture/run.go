package torture

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
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
	// killCount is the kill counter the workers map (mapKillCounter).
	killCount *uint64
	// spy is the harness's own client of the segment in the kill-repairers and stop modes
	// (hunt.go).
	spy      *plib.Client
	hunted   []hunted // repairers SIGKILLed, not yet reaped
	unreaped int      // workers SIGKILLed, not yet reaped
}

// Run runs a torture test: Workers processes on one segment, SIGKILLed and replaced Kills
// times, then stopped, recovered, checked and read back; every history of a sampled key
// is checked for linearizability. The Report lists every failure found; the error is for a
// run that could not be carried out at all.
func Run(cfg Config) (*Report, error) {
	autoClients := cfg.MaxClients == 0
	cfg = cfg.withDefaults().withModeDefaults(autoClients)
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if err := cfg.validateModes(); err != nil {
		return nil, err
	}
	rn := &runner{cfg: cfg, r: rand.New(rand.NewPCG(uint64(cfg.Seed), 0x70727475)), rep: &Report{Config: cfg}}
	if err := rn.setup(); err != nil {
		return nil, err
	}
	defer os.Remove(rn.path)
	start := time.Now()
	for slot := range cfg.Workers {
		if _, err := rn.spawn(slot); err != nil {
			rn.stopAll()
			return nil, err
		}
	}
	if err := rn.openSpy(); err != nil {
		rn.stopAll()
		return nil, err
	}
	stopWatch := rn.watchdog()
	stopStoppers := rn.stoppers()
	rn.killLoop(start)
	stopStoppers()
	stopWatch()
	rn.closeSpy()
	rn.stopAll()
	rn.rep.RunTime = time.Since(start)
	rn.final()
	rn.analyse()
	rn.rep.Elapsed = time.Since(start)
	if !rn.rep.OK() {
		rn.saveSegment()
	}
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
	if rn.killCount, err = mapKillCounter(rn.dir, true); err != nil {
		return err
	}
	rn.path = filepath.Join("/dev/shm", fmt.Sprintf("plibcached-torture-%d-%d", os.Getpid(), time.Now().UnixNano()))
	c, err := plib.Open(rn.path, plib.Options{
		Size: rn.cfg.SegmentSize, MaxItemSize: rn.cfg.MaxItemSize, MaxClients: rn.cfg.MaxClients,
		ExpectedItems: rn.cfg.ExpectedItems, Protection: plib.ModeNoPKU, ClassShards: rn.cfg.ClassShards,
	})
	if err != nil {
		return fmt.Errorf("torture: creating the segment: %w", err)
	}
	return c.Close()
}

func (rn *runner) spec(role string, id uint64, slot int) spec {
	c := rn.cfg
	return spec{Role: role, Path: rn.path, Dir: rn.dir, ID: id, Slot: slot, Seed: c.Seed,
		SampledKeys: c.SampledKeys, SampleShare: c.SampleShare, BulkKeys: c.BulkKeys, MaxValue: c.MaxValue, Fault: c.fault,
		LockTimeout: c.LockTimeout}
}

// spawn starts a new worker incarnation in slot.
func (rn *runner) spawn(slot int) (*proc, error) {
	rn.mu.Lock()
	defer rn.mu.Unlock()
	rn.ids++
	p, err := startProc(rn.exe, rn.spec("worker", rn.ids, slot))
	if err != nil {
		return nil, err
	}
	if len(rn.live) <= slot {
		rn.live = append(rn.live, make([]*proc, slot+1-len(rn.live))...)
	}
	rn.live[slot] = p
	rn.all = append(rn.all, p)
	rn.deprioritize(p)
	return p, nil
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

// saveSegment copies the segment (as the final check left it) to the output directory, for
// post-mortems with cmd/plibctl.
func (rn *runner) saveSegment() {
	b, err := os.ReadFile(rn.path)
	if err == nil {
		dst := filepath.Join(rn.dir, "segment")
		if err = os.WriteFile(dst, b, 0o600); err == nil {
			rn.rep.Segment = dst
		}
	}
	if err != nil {
		rn.rep.Segment = "(not saved: " + err.Error() + ")"
	}
}
