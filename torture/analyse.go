package torture

import (
	"os"
	"strings"
	"time"
)

// maxReportedFails bounds the workers' FAIL lines copied into the report.
const maxReportedFails = 10

// analyse gathers the workers' figures and failures, asserts the end state the final check
// saw, and checks the histories.
func (rn *runner) analyse() {
	rep := rn.rep
	rep.Incarnations = len(rn.all)
	var hist, atKill latHist
	var failLines []string
	for _, p := range rn.all {
		failLines = append(failLines, p.failLines(false)...)
		s, err := readStats(rn.dir, p.sp.ID)
		if err != nil {
			continue // killed before it had its stats file
		}
		rep.Ops += s.Ops
		rep.SampledOps += s.Sampled
		rep.OOM += s.OOM
		rep.Busy += s.Busy
		rep.BusyAtStart += s.BusyAtStart
		rep.WorkerFailures += s.Failures
		hist.merge(s.Hist[:])
		rep.MaxLatency = max(rep.MaxLatency, time.Duration(s.MaxNs))
		rep.OpsAtKill += s.AtKill
		atKill.merge(s.AtKillHist[:])
		rep.MaxLatencyAtKill = max(rep.MaxLatencyAtKill, time.Duration(s.AtKillMaxNs))
	}
	// A quantile is its bucket's top, which may exceed the largest sample.
	rep.P999Latency, rep.P50Latency = min(hist.quantile(0.999), rep.MaxLatency), min(hist.quantile(0.5), rep.MaxLatency)
	rep.P999LatencyAtKill = min(atKill.quantile(0.999), rep.MaxLatencyAtKill)
	for i, l := range failLines {
		if i == maxReportedFails {
			rn.fail("... and %d more FAIL lines in the workers' stderr files", len(failLines)-i)
			break
		}
		rn.fail("%s", l)
	}
	rn.assertFinal()
	rn.checkLinearizable()
}

// assertFinal turns what the final check saw into failures.
func (rn *runner) assertFinal() {
	f := rn.rep.Final
	if f == nil {
		rn.fail("no final check: the end state is unverified")
		return
	}
	if f.RecoverErr != "" {
		rn.fail("Recover: %s", f.RecoverErr)
	}
	if f.LocksAfterRecover != 0 || f.Recovery.Busy != 0 {
		rn.fail("LOCKS HELD after Recover with no process running: %d lock word(s); %d dead slot(s), %d freed, %d busy (dead clients' locks not released)",
			f.LocksAfterRecover, f.Recovery.DeadSlots, f.Recovery.Freed, f.Recovery.Busy)
	}
	if f.CheckErr != "" {
		rn.fail("INVARIANT VIOLATIONS: Check found %d problem(s) (at most 32 listed):\n      %s",
			len(f.Violations), strings.Join(f.Violations, "\n      "))
	}
	if f.LocksAfterCheck != 0 {
		rn.fail("LOCKS HELD after Check: %d", f.LocksAfterCheck)
	}
	if f.Bad != 0 {
		rn.fail("BAD VALUES: %d of %d keys read at the end fail verification: %s", f.Bad, f.Keys, strings.Join(f.BadSamples, "; "))
	}
	if len(f.ReadErrors) != 0 {
		rn.fail("final reads failed: %s", strings.Join(f.ReadErrors, "; "))
	}
	if want := rn.cfg.SampledKeys + rn.cfg.BulkKeys; f.Keys != want {
		rn.fail("final check read %d keys, not %d", f.Keys, want)
	}
}

// stackOf summarises a dumped process's goroutine dump: the goroutine running the
// operations (or one in the store, or the first), function names only.
func stackOf(p *proc) string {
	b, _ := os.ReadFile(p.errPath)
	blocks := strings.Split(string(b), "\n\n")
	pick := ""
	for _, want := range []string{"torture.(*worker)", "torture.runFinal", "plibcached/kv.", "goroutine "} {
		for _, blk := range blocks {
			if pick == "" && strings.HasPrefix(blk, "goroutine ") && strings.Contains(blk, want) {
				pick = blk
			}
		}
	}
	if pick == "" {
		return "(no goroutine dump in " + p.errPath + ")"
	}
	lines := strings.Split(pick, "\n")
	var fns []string
	for i := 1; i < len(lines) && len(fns) < 12; i += 2 {
		fn := lines[i]
		if j := strings.LastIndex(fn, "("); j > 0 {
			fn = fn[:j]
		}
		fns = append(fns, strings.TrimPrefix(fn, "github.com/plibcached/plibcached/"))
	}
	return strings.Join(fns, " <- ") + " (full dump: " + p.errPath + ")"
}
