package torture

import (
	"fmt"
	"sync/atomic"
	"syscall"
	"time"
)

// maxUnexpectedExits ends a run whose workers keep dying on their own.
const maxUnexpectedExits = 20

// killLoop kills a random worker after a random delay, waits for it and starts its
// replacement, Kills times (and for at least MinRun); now and then the victim is the
// replacement just started, killed during its start-up. It also restarts workers that
// exited on their own, which is a failure. In kill-repairers mode it hunts repairers
// while it waits, and prefers victims holding a lock (hunt.go).
func (rn *runner) killLoop(start time.Time) {
	c := rn.cfg
	var fresh *proc // the replacement started last
	for rn.rep.Kills < c.Kills || time.Since(start) < c.MinRun {
		if rn.aborted() {
			return
		}
		var victim *proc
		if fresh != nil && rn.rep.Kills < c.Kills && rn.r.IntN(startupKillOneIn) == 0 {
			if !rn.pause(time.Duration(rn.r.Int64N(int64(startupWindow)))) {
				return
			}
			if !fresh.isReady() && !fresh.exited() {
				victim = fresh
				rn.rep.KillsAtStart++
			}
		}
		if victim == nil {
			if !rn.pause(c.MinDelay + time.Duration(rn.r.Int64N(int64(c.MaxDelay-c.MinDelay)+1))) {
				return
			}
			rn.reapUnexpected()
			if rn.rep.Kills >= c.Kills {
				continue
			}
			if rn.cfg.KillRepairers {
				victim = rn.pickHolder()
			}
			if victim == nil {
				victim = rn.pickReady()
			}
			if victim == nil {
				continue
			}
		}
		if !rn.kill(victim) {
			return
		}
		var err error
		if fresh, err = rn.spawn(victim.sp.Slot); err != nil {
			rn.fail("starting a worker: %v", err)
			rn.stop("cannot start workers")
			return
		}
	}
}

// kill SIGKILLs victim, waits for it to be reaped and counts the kill (and the operation
// it interrupted). It reports false if the victim would not die. In kill-repairers mode it
// hunts while it waits (the victim's locks are repaired as soon as it is dead), then deals
// with the repairers it killed meanwhile (hunt.go).
func (rn *runner) kill(victim *proc) bool {
	rn.sigkill(victim)
	return rn.reap(victim) && rn.reapHunted()
}

// sigkill SIGKILLs p (stopped or not).
func (rn *runner) sigkill(p *proc) {
	rn.unreaped++
	atomic.AddUint64(rn.killCount, 1)
	p.killed.Store(true)
	p.signal(syscall.SIGKILL)
}

// reap waits for the SIGKILLed victim to be reaped and counts the kill.
func (rn *runner) reap(victim *proc) bool {
	deadline := time.Now().Add(rn.cfg.Hang)
	if rn.cfg.KillRepairers {
		for !victim.exited() && time.Now().Before(deadline) {
			rn.spot()
		}
	}
	if !victim.wait(time.Until(deadline)) {
		rn.fail("worker %d (pid %d) did not die within %v of SIGKILL", victim.sp.ID, victim.cmd.Process.Pid, rn.cfg.Hang)
		rn.stop("a SIGKILLed worker did not die")
		return false
	}
	rn.rep.Kills++
	rn.unreaped--
	if s, err := readStats(rn.dir, victim.sp.ID); err == nil && s.InflightSince != 0 {
		if rn.rep.KillsInOp == nil {
			rn.rep.KillsInOp = map[string]int{}
		}
		rn.rep.KillsInOp[OpKind(s.InflightOp).String()]++
	}
	return true
}

// startupKillOneIn: one kill in this many (roughly) goes to the replacement just started,
// after a random wait below startupWindow, if it is still starting: in the Go runtime's
// start-up, plib.Open or its slot claim.
const (
	startupKillOneIn = 10
	startupWindow    = 10 * time.Millisecond
)

// stoppedKillOneIn: in Stop mode a stopped worker is a candidate victim for one kill in
// this many only, so that most stops run their course (and make others wait).
const stoppedKillOneIn = 8

// pickReady returns a random live worker that is ready (has its session, so the kill
// lands among its operations), waiting up to Hang for one.
func (rn *runner) pickReady() *proc {
	deadline := time.Now().Add(rn.cfg.Hang)
	stoppedToo := rn.r.IntN(stoppedKillOneIn) == 0
	for time.Now().Before(deadline) && !rn.aborted() {
		rn.mu.Lock()
		var ready []*proc
		for _, p := range rn.live {
			if p.isReady() && !p.exited() && (stoppedToo || !p.isStopped()) {
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
		if _, err := rn.spawn(slot); err != nil {
			rn.fail("starting a worker: %v", err)
			rn.stop("cannot start workers")
			return
		}
	}
}
