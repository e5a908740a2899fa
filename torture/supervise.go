package torture

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// watchdogEvery is how often the watchdog looks at the workers' snapshots; watchdogStopEvery
// in Stop mode, where the bound it checks is a fraction of a second.
const (
	watchdogEvery     = 200 * time.Millisecond
	watchdogStopEvery = 50 * time.Millisecond
)

// watchdog starts a goroutine that declares a worker hung when its operation in flight
// (or its start-up, or its snapshots) has taken longer than Hang (an operation: BusyHang in
// Stop mode), not counting the time the worker was stopped: it records a failure, takes the
// worker's goroutine dump and stops the run. It returns the goroutine's stop.
func (rn *runner) watchdog() (stop func()) {
	quit := make(chan struct{})
	var wg sync.WaitGroup
	every := watchdogEvery
	if rn.cfg.Stop {
		every = watchdogStopEvery
	}
	wg.Go(func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-quit:
				return
			case <-t.C:
			}
			rn.mu.Lock()
			live := append([]*proc(nil), rn.live...)
			rn.mu.Unlock()
			for _, p := range live {
				if why := rn.stuck(p); why != "" {
					rn.fail("HUNG: worker %d (pid %d) %s; goroutines: %v", p.sp.ID, p.cmd.Process.Pid, why, stackOf(p))
					rn.stop("a worker hung")
				}
			}
		}
	})
	return func() { close(quit); wg.Wait() }
}

// stuck says why p is hung, or "". A hung process is dumped (SIGQUIT) before it returns;
// one the killer has just killed is not hung, nor one that is stopped: times are counted
// without the spans the worker was stopped (SIGSTOP), so only waits of a running worker
// count. An operation's time does not count either the time the worker's threads spent
// runnable but waiting for a CPU (run_delay in /proc/PID/task/*/schedstat, from the first
// time the watchdog saw the operation): on a loaded machine a starved worker is not hung,
// while a call waiting for a lock sleeps on it (futex) or spins, which count. In Stop mode
// an operation may take BusyHang: past LockTimeout a call waiting for a stopped client's
// lock must give up (ErrBusy), so a longer one waits without bound.
func (rn *runner) stuck(p *proc) string {
	if p.isStopped() {
		return ""
	}
	hang, opHang := rn.cfg.Hang, rn.cfg.Hang
	if rn.cfg.Stop {
		opHang = min(opHang, rn.cfg.BusyHang)
	}
	now := monoNow()
	running := func(since int64) time.Duration { return time.Duration(now-since) - p.stoppedWithin(since, now) }
	var why string
	if !p.isReady() {
		if d := running(p.startMono); d > hang {
			why = fmt.Sprintf("not ready (opening the segment, claiming a slot) after %v", d.Round(time.Millisecond))
		}
	} else if s, err := readStats(rn.dir, p.sp.ID); err == nil {
		keys := keySpace(rn.cfg.SampledKeys, rn.cfg.BulkKeys)
		if s.InflightSince != 0 && int(s.InflightKey) < len(keys) {
			delay := runDelay(p.cmd.Process.Pid)
			if s.InflightSince != p.opSeen {
				p.opSeen, p.opDelay0 = s.InflightSince, delay
			}
			var starved time.Duration
			if delay >= 0 && p.opDelay0 >= 0 {
				starved = time.Duration(max(delay-p.opDelay0, 0))
			}
			since := running(s.InflightSince) - starved
			if since > opHang {
				why = fmt.Sprintf("in %s %s for %v (not counting %v stopped, %v waiting for a CPU; limit %v)",
					OpKind(s.InflightOp), keys[s.InflightKey].name, since.Round(time.Millisecond),
					p.stoppedWithin(s.InflightSince, now).Round(time.Millisecond), starved.Round(time.Millisecond), opHang)
			}
			rn.mu.Lock()
			if since > rn.rep.LongestOpSeen {
				rn.rep.LongestOpSeen = since
				rn.rep.LongestOpSeenWhat = fmt.Sprintf("%s %s by worker %d", OpKind(s.InflightOp), keys[s.InflightKey].name, p.sp.ID)
			}
			rn.mu.Unlock()
		}
		if s.Ops != p.lastOps {
			p.lastOps, p.lastProgress = s.Ops, now
		} else if d := running(p.lastProgress); why == "" && d > hang {
			why = fmt.Sprintf("completed no operation for %v, none in flight", d.Round(time.Millisecond))
		}
	}
	if why == "" || p.exited() || p.killed.Load() {
		return ""
	}
	p.dump(why)
	return why
}

// stopAll stops every live worker gracefully (SIGTERM: it finishes its operation), and
// dumps those that do not stop within Hang.
func (rn *runner) stopAll() {
	rn.mu.Lock()
	live := append([]*proc(nil), rn.live...)
	rn.mu.Unlock()
	deadline := time.After(rn.cfg.Hang)
	for _, p := range live {
		if p == nil {
			continue
		}
		select { // a worker not yet ready may not have its SIGTERM handler yet
		case <-p.ready:
		case <-p.done:
		case <-deadline:
		}
		p.signal(syscall.SIGTERM)
	}
	for _, p := range live {
		if p == nil || p.killed.Load() || p.hung() != "" {
			continue
		}
		if !p.wait(rn.cfg.Hang) {
			p.dump("did not stop within " + rn.cfg.Hang.String() + " of SIGTERM")
			rn.fail("HUNG: worker %d %s; goroutines: %v", p.sp.ID, p.hung(), stackOf(p))
		} else if !p.cleanExit() {
			rn.rep.UnexpectedExits++
			rn.fail("worker %d ended badly when stopped (%s): %v", p.sp.ID, p.status(), p.failLines(true))
		}
	}
}

// final runs the final checker (Recover, Check, LocksHeld, read every key) in a process of
// its own, so that a hang there is caught too.
func (rn *runner) final() {
	p, err := startProc(rn.exe, rn.spec("final", finalID, rn.cfg.Workers+1))
	if err != nil {
		rn.fail("starting the final check: %v", err)
		return
	}
	limit := 3 * rn.cfg.Hang
	if !p.wait(limit) {
		p.dump(fmt.Sprintf("final check did not finish within %v", limit))
		rn.fail("HUNG: the final check (Recover, Check, reads) did not finish within %v: %v; goroutines: %v",
			limit, p.failLines(false), stackOf(p))
		return
	}
	if !p.cleanExit() {
		rn.fail("final check failed (%s): %v", p.status(), p.failLines(true))
		return
	}
	b, err := os.ReadFile(finalPath(rn.dir))
	if err == nil {
		var r FinalCheck
		if err = json.Unmarshal(b, &r); err == nil {
			rn.rep.Final = &r
		}
	}
	if err != nil {
		rn.fail("final check: %v", err)
	}
}

// runDelay returns how long process pid's threads have spent runnable, waiting for a CPU
// (the second field of /proc/PID/task/TID/schedstat, summed), or -1 if it cannot tell.
func runDelay(pid int) int64 {
	dir := "/proc/" + strconv.Itoa(pid) + "/task"
	tasks, err := os.ReadDir(dir)
	if err != nil {
		return -1
	}
	var sum int64
	for _, t := range tasks {
		b, err := os.ReadFile(dir + "/" + t.Name() + "/schedstat")
		f := strings.Fields(string(b))
		if err != nil || len(f) < 2 {
			continue // a thread that has just exited
		}
		d, err := strconv.ParseInt(f[1], 10, 64)
		if err != nil {
			return -1
		}
		sum += d
	}
	return sum
}
