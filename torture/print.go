package torture

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// Print writes the run's summary: kills, operations, the final check, the latencies, each
// sampled key's linearizability verdict, and every failure.
func (r *Report) Print(w io.Writer) {
	c := r.Config
	p := func(label, format string, args ...any) {
		fmt.Fprintf(w, "%-16s %s\n", label, fmt.Sprintf(format, args...))
	}
	var modes []string
	if c.KillRepairers {
		modes = append(modes, "kill-repairers")
	}
	if c.Stop {
		modes = append(modes, "stop")
	}
	mode := ""
	if len(modes) > 0 {
		mode = "; modes " + strings.Join(modes, " + ")
	}
	if c.LockTimeout != 0 {
		mode += fmt.Sprintf("; workers' lock timeout %v", c.LockTimeout)
	}
	fmt.Fprintf(w, "plibcached torture: %d workers, seed %d, %d MiB segment, %d sampled keys (%.0f%% of ops), %d bulk keys%s\n",
		c.Workers, c.Seed, c.SegmentSize>>20, c.SampledKeys, 100*c.SampleShare, c.BulkKeys, mode)
	p("kills", "%d SIGKILLs survived (%d worker processes, %d exited on their own); workers ran %v",
		r.Kills, r.Incarnations, r.UnexpectedExits, r.RunTime.Round(time.Millisecond))
	inOp, byOp := 0, []string{}
	for _, op := range opNames {
		if n := r.KillsInOp[op]; n > 0 {
			inOp += n
			byOp = append(byOp, fmt.Sprintf("%s %d", op, n))
		}
	}
	p("", "%d kills landed inside a store call (%s), %d in a worker's start-up", inOp, strings.Join(byOp, ", "), r.KillsAtStart)
	if c.KillRepairers {
		h := r.Hunt
		p("repairers", "%d repairs seen under way; killed mid-repair: %d lock repairers, %d reclaimers (%.0f%% of kills); %d over before the stop landed",
			h.Sightings, h.RepairerKills, h.ReclaimerKills, 100*float64(h.RepairerKills+h.ReclaimerKills)/float64(max(r.Kills, 1)), h.Missed)
		p("", "%d victims probed for a held lock, %d killed holding one (stopped); %d client slots", h.Probes, h.HolderKills, c.MaxClients)
	}
	if c.Stop {
		p("stops", "%d SIGSTOPs (%v..%v, %d longer than the %v lock timeout, %d holding a lock), %v stopped in all, longest %v",
			r.Stops, c.MinStop, c.MaxStop, r.StopsOverTimeout, c.LockTimeout, r.StopsHoldingLock,
			r.StoppedTotal.Round(time.Millisecond), r.LongestStop.Round(time.Millisecond))
		p("", "longest operation seen in flight, less its worker's stops and starvation: %v (limit %v): %s",
			r.LongestOpSeen.Round(time.Millisecond), c.BusyHang, r.LongestOpSeenWhat)
	}
	if c.Stop || r.Busy != 0 || r.BusyAtStart != 0 {
		p("busy", "%d operations returned ErrBusy (%d on sampled keys, checked as changing nothing), %d session claims did",
			r.Busy, r.BusyChecked(), r.BusyAtStart)
	}
	p("operations", "%d completed, %d of them on sampled keys; %d stores refused for memory; %d failed verification in workers",
		r.Ops, r.SampledOps, r.OOM, r.WorkerFailures)
	p("latency", "all ops: p50 %v, p99.9 %v, max %v", r.P50Latency, r.P999Latency, r.MaxLatency)
	p("", "%d ops in flight when a worker was killed: p99.9 %v, max %v", r.OpsAtKill, r.P999LatencyAtKill, r.MaxLatencyAtKill)
	if f := r.Final; f != nil {
		p("store", "%d items, %d evictions, %d out-of-memory, hash power %d; pages by class (class:chunk=pages) %s",
			f.CurrItems, f.Evictions, f.OutOfMemory, f.HashPower, strings.Join(f.Pages, " "))
		p("recovery", "%d dead slots, %d freed, %d busy; lock words held after Recover: %d, after Check: %d",
			f.Recovery.DeadSlots, f.Recovery.Freed, f.Recovery.Busy, f.LocksAfterRecover, f.LocksAfterCheck)
		p("", "%d lock repairs after dead clients; longest wait on a dead client's lock %v, longest repair %v",
			f.Repairs, f.RepairWaitMax, f.RepairTimeMax)
		if f.CheckErr == "" || len(f.Violations) > 0 {
			p("invariants", "%d violation(s)", len(f.Violations))
		} else {
			p("invariants", "Check failed: %s", f.CheckErr)
		}
		p("values", "%d keys read at the end: %d hits, %d misses, %d bad", f.Keys, f.Hits, f.Misses, f.Bad)
	} else {
		p("final check", "DID NOT COMPLETE")
	}
	p("linearizability", "model %q, %d operations checked over %d keys:", r.Model, r.CheckedOps(), len(r.Keys))
	for _, k := range r.Keys {
		busy := ""
		if c.Stop || k.Busy != 0 {
			busy = fmt.Sprintf(", %3d busy", k.Busy)
		}
		fmt.Fprintf(w, "    %-10s %6d ops (%3d open at kills, %3d reads dropped%s)  %-7s %v\n",
			k.Key, k.Ops, k.Open, k.Dropped, busy, k.Result, k.Took.Round(time.Millisecond))
	}
	verdict := "PASS"
	if !r.OK() {
		verdict = fmt.Sprintf("FAIL (%d failures)", len(r.Failures))
	}
	p("verdict", "%s in %v", verdict, r.Elapsed.Round(time.Millisecond))
	for _, f := range r.Failures {
		fmt.Fprintf(w, "  - %s\n", f)
	}
	if r.Dir != "" {
		p("output", "%s", r.Dir)
	}
	if r.Segment != "" {
		p("segment", "%s (plibctl check %s)", r.Segment, r.Segment)
	}
}
