package torture

import (
	"bytes"
	"os"
	"strconv"
	"syscall"
	"time"

	"github.com/plibcached/plibcached/plib"
)

// Kill-repairers mode. A worker that dies holding locks leaves them to be repaired by the
// next worker that waits for one (lock repair: it claims the dead slot's journal, rolls
// back, finishes and releases); the slot itself is taken back by the next worker that
// needs one and finds none free (reclaim: RecoverSlot, which also frees the chunk the dead
// worker had allocated and not linked). A repairer or reclaimer killed in turn must be
// repaired by the next one. To make that happen on purpose the killer:
//
//   - spends every wait between kills polling plib.Client.Repairing (its own client of the
//     segment, which takes no slot) in a tight loop, and SIGKILLs each worker it finds
//     repairing (RepairerSlot != DeadSlot) or reclaiming (RepairerSlot == DeadSlot), then
//     replaces it; after the kill it looks whether the repair's claim still names the dead
//     repairer: if so the kill landed mid-repair (confirmed), else just after it;
//   - prefers victims that hold a lock, so that kills leave locks to repair: it SIGSTOPs a
//     candidate and samples LocksHeld; if more locks stay held while the candidate is
//     stopped than while it ran, the candidate most likely holds one and is killed where
//     it stands;
//   - runs the workers workerNice steps nicer than itself, so that on a busy machine the
//     poll has a core when a repair happens;
//   - sizes the slot table at 2*Workers+4 (when MaxClients is left zero), so that soon
//     every replacement takes back a dead slot at start-up.

// Tuning of the hunt.
const (
	// probeTries is how many candidates the killer stops and probes for a held lock.
	probeTries = 2
	// probeSamples is how many times LocksHeld is sampled, probeGap apart, for the number
	// of locks that stay held.
	probeSamples = 8
	probeGap     = 20 * time.Microsecond
	// stopWait bounds the wait for a SIGSTOPped process to show as stopped.
	stopWait = 5 * time.Millisecond
	// workerNice is how much nicer than the killer the workers run.
	workerNice = 5
)

// deprioritize makes worker p workerNice steps nicer than this process, in kill-repairers
// mode (best effort).
func (rn *runner) deprioritize(p *proc) {
	if !rn.cfg.KillRepairers {
		return
	}
	if prio, err := syscall.Getpriority(syscall.PRIO_PROCESS, 0); err == nil { // 20 - nice
		syscall.Setpriority(syscall.PRIO_PROCESS, p.cmd.Process.Pid, min(20-prio+workerNice, 19))
	}
}

// HuntCounts is the kill-repairers mode's tally (Report.Hunt).
type HuntCounts struct {
	Sightings              int // repairs seen under way by a worker
	RepairerKills          int // lock repairers SIGKILLed
	RepairerKillsInRepair  int // of which the kill landed mid-repair (the claim still named them)
	ReclaimerKills         int // reclaimers (RecoverSlot) SIGKILLed
	ReclaimerKillsInRepair int
	HolderKills            int // victims killed while stopped and apparently holding a lock
	Probes                 int // candidates stopped and probed for a held lock
}

// openSpy opens the harness's own client of the segment, which the killer and the
// stoppers use to look at repairs and locks (it takes no client slot: Repairing and
// LocksHeld need none).
func (rn *runner) openSpy() error {
	if !rn.cfg.KillRepairers && !rn.cfg.Stop {
		return nil
	}
	c, err := plib.Open(rn.path, plib.Options{Protection: plib.ModeNoPKU})
	if err != nil {
		return err
	}
	rn.spy = c
	return nil
}

func (rn *runner) closeSpy() {
	if rn.spy != nil {
		rn.spy.Close()
		rn.spy = nil
	}
}

// pause waits d; in kill-repairers mode it hunts meanwhile. It reports false if the run
// must stop.
func (rn *runner) pause(d time.Duration) bool {
	if !rn.cfg.KillRepairers {
		time.Sleep(d)
		return true
	}
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if !rn.huntOnce() {
			return false
		}
	}
	return true
}

// huntOnce looks once for repairs under way and kills the workers doing them.
func (rn *runner) huntOnce() bool {
	for _, r := range rn.spy.Repairing() {
		p := rn.liveByPid(r.RepairerPid)
		if p == nil || rn.rep.Kills >= rn.cfg.Kills {
			continue
		}
		rn.rep.Hunt.Sightings++
		if !rn.kill(p) {
			return false
		}
		inRepair := false
		for _, r2 := range rn.spy.Repairing() {
			inRepair = inRepair || r2.DeadSlot == r.DeadSlot && r2.RepairerSlot == r.RepairerSlot
		}
		h := &rn.rep.Hunt
		if r.RepairerSlot == r.DeadSlot {
			h.ReclaimerKills++
			if inRepair {
				h.ReclaimerKillsInRepair++
			}
		} else {
			h.RepairerKills++
			if inRepair {
				h.RepairerKillsInRepair++
			}
		}
		if _, err := rn.spawn(p.sp.Slot); err != nil {
			rn.fail("starting a worker: %v", err)
			rn.stop("cannot start workers")
			return false
		}
	}
	return true
}

// liveByPid returns the live, unkilled worker whose process is pid.
func (rn *runner) liveByPid(pid int) *proc {
	if pid == 0 {
		return nil
	}
	rn.mu.Lock()
	defer rn.mu.Unlock()
	for _, p := range rn.live {
		if p != nil && p.cmd.Process.Pid == pid && !p.killed.Load() && !p.exited() {
			return p
		}
	}
	return nil
}

// pickHolder looks for a ready worker that holds a lock: it probes up to probeTries
// random candidates in turn and returns the first found holding a lock, still stopped:
// the killer kills it as it stands. Nil if none was found.
func (rn *runner) pickHolder() *proc {
	rn.mu.Lock()
	var cand []*proc
	for _, p := range rn.live {
		if p.isReady() && !p.exited() && !p.killed.Load() && !p.isStopped() {
			cand = append(cand, p)
		}
	}
	rn.mu.Unlock()
	rn.r.Shuffle(len(cand), func(i, j int) { cand[i], cand[j] = cand[j], cand[i] })
	for _, p := range cand[:min(len(cand), probeTries)] {
		rn.rep.Hunt.Probes++
		if rn.stopHolder(p) {
			rn.rep.Hunt.HolderKills++
			return p
		}
		p.cont()
	}
	return nil
}

// stopHolder stops p and reports whether it holds a lock: whether more locks stay held
// while it is stopped than while it ran (locks that stay held while everyone runs are
// dead workers' that no one has needed since, or a stopped worker's). p is left stopped.
func (rn *runner) stopHolder(p *proc) bool {
	base := rn.minLocksHeld()
	p.stop()
	waitStopped(p.cmd.Process.Pid, stopWait)
	return rn.minLocksHeld() > base
}

// minLocksHeld is the least number of locks held over probeSamples looks, probeGap apart:
// the locks that stay held.
func (rn *runner) minLocksHeld() int {
	n := rn.spy.LocksHeld()
	for i := 1; i < probeSamples && n > 0; i++ {
		time.Sleep(probeGap)
		n = min(n, rn.spy.LocksHeld())
	}
	return n
}

// waitStopped waits up to d for every thread of process pid to show as stopped (state T)
// in /proc: the lock holder may be any of them.
func waitStopped(pid int, d time.Duration) {
	dir := "/proc/" + strconv.Itoa(pid) + "/task"
	for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(20 * time.Microsecond) {
		tasks, err := os.ReadDir(dir)
		if err != nil {
			return // dead
		}
		running := false
		for _, t := range tasks {
			b, err := os.ReadFile(dir + "/" + t.Name() + "/stat")
			if i := bytes.LastIndexByte(b, ')'); err == nil && i >= 0 && i+2 < len(b) {
				running = running || b[i+2] == 'R' || b[i+2] == 'S' || b[i+2] == 'D'
			}
		}
		if !running {
			return
		}
	}
}
