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
//   - spends every wait between kills, and every wait for a victim to be reaped (when its
//     locks get repaired), polling plib.Client.Repairing (its own client of the segment,
//     which takes no slot) in a tight loop; each worker it finds repairing (RepairerSlot
//     != DeadSlot) or reclaiming (RepairerSlot == DeadSlot) it SIGSTOPs at once, and if
//     the claim still names it once it is frozen, SIGKILLs it (so every such kill is
//     certainly mid-repair) and replaces it, else SIGCONTs it (a miss);
//   - prefers victims that hold a lock, so that kills leave locks to repair: it SIGSTOPs a
//     candidate and samples LocksHeld; if more locks stay held while the candidate is
//     stopped than while it ran, the candidate most likely holds one and is killed where
//     it stands;
//   - runs the workers workerNice steps nicer than itself (not in stop mode), so that on a
//     busy machine the poll has a core when a repair happens;
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
	// stopWait bounds the wait for a SIGSTOPped process to show as stopped (on a loaded
	// machine it may have to wait for a core to take the signal).
	stopWait = 50 * time.Millisecond
	// workerNice is how much nicer than the killer the workers run.
	workerNice = 5
)

// deprioritize makes worker p workerNice steps nicer than this process, in kill-repairers
// mode (best effort). Not in stop mode, which times operations tightly (BusyHang): the
// watchdog discounts a starved worker's wait for a CPU, but the less of it the better.
func (rn *runner) deprioritize(p *proc) {
	if !rn.cfg.KillRepairers || rn.cfg.Stop {
		return
	}
	if prio, err := syscall.Getpriority(syscall.PRIO_PROCESS, 0); err == nil { // 20 - nice
		syscall.Setpriority(syscall.PRIO_PROCESS, p.cmd.Process.Pid, min(20-prio+workerNice, 19))
	}
}

// HuntCounts is the kill-repairers mode's tally (Report.Hunt).
type HuntCounts struct {
	Sightings      int // repairs seen under way by a worker
	RepairerKills  int // lock repairers SIGKILLed mid-repair
	ReclaimerKills int // reclaimers (RecoverSlot) SIGKILLed mid-reclaim
	Missed         int // repairs seen that were over by the time their worker stopped
	HolderKills    int // victims killed while stopped and apparently holding a lock
	Probes         int // candidates stopped and probed for a held lock
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
		rn.spot()
		if !rn.reapHunted() {
			return false
		}
	}
	return true
}

// hunted is a worker SIGKILLed because it was seen doing repair r.
type hunted struct {
	p *proc
	r plib.Repair
}

// spot looks once for repairs under way. It SIGSTOPs each worker it finds doing one and
// looks again: if the repair's claim still names the worker, now frozen, it SIGKILLs it
// where it stands, mid-repair for certain (the kill budget allowing, and no more than one
// kill in two going to repairers: a dead repairer's own locks need repairing too, and the
// cascade would leave the workers no time to work); else the repair was
// over before the stop landed (missed) and it SIGCONTs the worker. reapHunted reaps the
// workers it killed.
func (rn *runner) spot() {
	for _, r := range rn.spy.Repairing() {
		p := rn.liveByPid(r.RepairerPid)
		hunts := rn.rep.Hunt.RepairerKills + rn.rep.Hunt.ReclaimerKills + len(rn.hunted)
		if p == nil || rn.rep.Kills+rn.unreaped >= rn.cfg.Kills || hunts >= rn.rep.Kills+rn.unreaped-hunts {
			continue // no repair to kill, no kills left, or no more than one in two kills for repairers
		}
		rn.rep.Hunt.Sightings++
		p.stop()
		if !waitStopped(r.RepairerPid, stopWait) || !rn.stillRepairing(r) {
			rn.rep.Hunt.Missed++
			p.cont()
			continue
		}
		rn.sigkill(p)
		rn.hunted = append(rn.hunted, hunted{p, r})
	}
}

// stillRepairing reports whether repair r is under way, by the same repairer.
func (rn *runner) stillRepairing(r plib.Repair) bool {
	for _, r2 := range rn.spy.Repairing() {
		if r2 == r {
			return true
		}
	}
	return false
}

// reapHunted reaps the repairers spot killed (hunting on while it waits), counts them and
// starts their replacements. It reports false if the run must stop.
func (rn *runner) reapHunted() bool {
	for len(rn.hunted) > 0 {
		k := rn.hunted[0]
		rn.hunted = rn.hunted[1:]
		if !rn.reap(k.p) {
			return false
		}
		if k.r.RepairerSlot == k.r.DeadSlot {
			rn.rep.Hunt.ReclaimerKills++
		} else {
			rn.rep.Hunt.RepairerKills++
		}
		if _, err := rn.spawn(k.p.sp.Slot); err != nil {
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
	return waitStopped(p.cmd.Process.Pid, stopWait) && rn.minLocksHeld() > base
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
// in /proc, the lock holder may be any of them, and reports whether they did (false also
// for a process that died).
func waitStopped(pid int, d time.Duration) bool {
	dir := "/proc/" + strconv.Itoa(pid) + "/task"
	for deadline := time.Now().Add(d); time.Now().Before(deadline); time.Sleep(20 * time.Microsecond) {
		tasks, err := os.ReadDir(dir)
		if err != nil {
			return false
		}
		running := false
		for _, t := range tasks {
			b, err := os.ReadFile(dir + "/" + t.Name() + "/stat")
			if i := bytes.LastIndexByte(b, ')'); err == nil && i >= 0 && i+2 < len(b) {
				running = running || b[i+2] != 'T' && b[i+2] != 't'
			}
		}
		if !running {
			return true
		}
	}
	return false
}
