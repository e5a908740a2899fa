package torture

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestTortureShortKillRepairers is the short run in kill-repairers mode: besides random
// workers, the killer kills lock holders where they stand and hunts the workers that
// repair what they left, or reclaim their slots. Every end-state property must hold.
func TestTortureShortKillRepairers(t *testing.T) {
	c := shortConfig()
	c.KillRepairers = true
	c.MaxClients = 0 // 2*Workers+4: replacements take dead slots back
	rep := assertTorture(t, c, "")
	h := rep.Hunt
	if h.Probes == 0 {
		t.Error("no victim was probed for a held lock")
	}
	if h.Sightings == 0 {
		// Some forty lock repairs and as many slot reclaims happen in a short run.
		t.Errorf("no repair seen under way in %d kills: is the hunt looking?", rep.Kills)
	} else if h.RepairerKills+h.ReclaimerKills == 0 {
		// Stopping one mid-repair takes luck with the scheduler: not a failure.
		t.Logf("no repairer or reclaimer killed mid-repair (%d repairs seen)", h.Sightings)
	}
}

// TestTortureShortStop is the short run in stop mode: workers are SIGSTOPped for 1 ms to
// a few seconds while others must get ErrBusy, not wait, past the 200 ms lock timeout.
// Kills are spread out so that stops run their course.
func TestTortureShortStop(t *testing.T) {
	c := shortConfig()
	c.Stop = true
	c.MaxDelay = 100 * time.Millisecond
	c.MinRun = 8 * time.Second
	rep := assertTorture(t, c, "")
	if rep.Stops == 0 {
		t.Error("no worker was stopped")
	}
	if rep.Busy == 0 {
		t.Logf("no operation returned ErrBusy in %d stops (%d holding a lock)", rep.Stops, rep.StopsHoldingLock)
	}
}

// TestHarnessCatchesHangStop: in stop mode the watchdog discounts a worker's stopped
// time, yet still reports an operation that runs past BusyHang (far below Hang): a call
// that waited for a stopped client without bound.
func TestHarnessCatchesHangStop(t *testing.T) {
	c := DefaultConfig()
	c.Workers, c.Kills, c.MinRun, c.Stop = 1, 0, 20*time.Second, true
	c.MaxStop, c.BusyHang = 200*time.Millisecond, time.Second // the lone worker runs often enough
	c.fault = faultHang
	rep, err := Run(c)
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(rep.Dir)
	var sb strings.Builder
	rep.Print(&sb)
	t.Log("\n" + sb.String())
	// Which limit caught the hang is in the report; the run's wall time is not (on a loaded
	// machine, loading alone can take seconds).
	hung := false
	for _, f := range rep.Failures {
		hung = hung || strings.HasPrefix(f, "HUNG: worker") && strings.Contains(f, "limit "+rep.Config.BusyHang.String())
		if strings.Contains(f, "limit "+rep.Config.Hang.String()) {
			t.Errorf("the hang was caught by Hang (%v), not BusyHang (%v): %s", rep.Config.Hang, rep.Config.BusyHang, f)
		}
	}
	if !hung {
		t.Errorf("no worker reported hung past BusyHang %v", rep.Config.BusyHang)
	}
}

// TestHarnessCatchesBusyLie: workers that report a busy store as done (it changed
// nothing) make the sampled keys' histories non-linearizable.
func TestHarnessCatchesBusyLie(t *testing.T) {
	c := DefaultConfig()
	c.Workers, c.Kills, c.MinRun, c.Stop = 4, 0, 6*time.Second, true
	c.MinStop, c.LockTimeout = 300*time.Millisecond, 50*time.Millisecond // many busy results,
	c.SampleShare = 0.9                                                  // most of them on sampled keys
	c.SegmentSize = 64 << 20                                             // no evictions: the strict model
	c.fault, c.Keep = faultBusyOK, true
	rep, err := Run(c)
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(rep.Dir)
	var sb strings.Builder
	rep.Print(&sb)
	t.Log("\n" + sb.String())
	lies := 0 // the made-up CAS ids in the histories
	files, _ := filepath.Glob(filepath.Join(rep.Dir, "hist-*.jsonl"))
	for _, f := range files {
		recs, err := readHistory(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			if r.Kind == "r" && r.CAS > 1<<60 {
				lies++
			}
		}
	}
	t.Logf("%d busy stores on sampled keys reported as done", lies)
	if lies == 0 {
		t.Skip("no busy store on a sampled key to lie about")
	}
	if rep.Linearizable() {
		t.Fatal("busy stores reported as done went unnoticed")
	}
}
