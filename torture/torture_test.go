package torture

import (
	"flag"
	"os"
	"strings"
	"testing"
	"time"
)

// TestMain lets the test binary serve as the harness's workers and final checker.
func TestMain(m *testing.M) {
	ChildMain()
	os.Exit(m.Run())
}

var (
	shortKills = flag.Int("torture.kills", 50, "kills in TestTortureShort")
	shortSeed  = flag.Int64("torture.seed", 1, "seed of TestTortureShort")
)

// shortConfig is the short run: 4 workers, 50 kills, seconds on 2 cores.
func shortConfig() Config {
	c := DefaultConfig()
	c.Kills, c.Seed = *shortKills, *shortSeed
	c.MinRun = 2 * time.Second
	c.CheckTimeout = 30 * time.Second
	return c
}

// TestTortureShort is the short torture run (make torture runs the full one). It asserts
// every end-state property: no worker hung or died on its own, Recover leaves no lock
// held, Check finds no invariant violation, every value read back verifies, no worker read
// a bad value, and every sampled key's history (with the final reads) is linearizable.
func TestTortureShort(t *testing.T) {
	assertTorture(t, shortConfig(), "")
}

// TestTortureShortShards is the short run with every slab class split into three shards,
// so that kills land in stores that take two shards' locks and in page moves between
// shards.
func TestTortureShortShards(t *testing.T) {
	c := shortConfig()
	c.ClassShards = 3
	assertTorture(t, c, "")
}

// TestTortureShortNoEviction is the short run on a segment roomy enough that nothing is
// evicted: porcupine then checks with the strict model, in which an acknowledged write can
// never vanish (with evictions, a lost item looks like an evicted one).
func TestTortureShortNoEviction(t *testing.T) {
	c := shortConfig()
	c.SegmentSize = 64 << 20
	assertTorture(t, c, "strict")
}

// assertTorture runs c and asserts every end-state property (and the model, if named).
func assertTorture(t *testing.T, c Config, model string) *Report {
	rep, err := Run(c)
	if err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	rep.Print(&sb)
	t.Log("\n" + sb.String())
	if rep.Kills < *shortKills {
		t.Errorf("%d kills, want %d", rep.Kills, *shortKills)
	}
	for _, f := range rep.Failures {
		if strings.HasPrefix(f, "HUNG") {
			t.Errorf("hung: %s", f)
		}
	}
	if rep.UnexpectedExits != 0 {
		t.Errorf("%d workers exited on their own", rep.UnexpectedExits)
	}
	if rep.WorkerFailures != 0 {
		t.Errorf("workers saw %d bad values or unexpected errors", rep.WorkerFailures)
	}
	f := rep.Final
	if f == nil {
		t.Fatal("the final check did not complete")
		return rep
	}
	if f.LocksAfterRecover != 0 || f.Recovery.Busy != 0 {
		t.Errorf("after Recover: %d lock words held, %d dead slots busy", f.LocksAfterRecover, f.Recovery.Busy)
	}
	if f.CheckErr != "" || len(f.Violations) != 0 {
		t.Errorf("Check: %d invariant violations: %s", len(f.Violations), f.CheckErr)
	}
	if f.LocksAfterCheck != 0 {
		t.Errorf("after Check: %d lock words held", f.LocksAfterCheck)
	}
	if f.Bad != 0 || len(f.ReadErrors) != 0 || f.Keys != rep.Config.SampledKeys+rep.Config.BulkKeys {
		t.Errorf("final reads: %d of %d keys bad, errors %v", f.Bad, f.Keys, f.ReadErrors)
	}
	if model != "" && rep.Model != model {
		t.Errorf("checked with the %q model, want %q", rep.Model, model)
	}
	if rep.CheckedOps() == 0 || !rep.Linearizable() {
		t.Errorf("histories not all linearizable (%d ops checked)", rep.CheckedOps())
	}
	if !rep.OK() {
		t.Errorf("%d failures (listed above)", len(rep.Failures))
	}
	return rep
}

// TestHarnessCatchesHang: a worker that stops in the middle of an operation is reported
// by the watchdog, and the run ends instead of waiting for it.
func TestHarnessCatchesHang(t *testing.T) {
	c := DefaultConfig()
	c.Workers, c.Kills, c.MinRun, c.Hang = 2, 0, 20*time.Second, time.Second
	c.fault = faultHang
	start := time.Now()
	rep, err := Run(c)
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(rep.Dir)
	if d := time.Since(start); d > 15*time.Second {
		t.Errorf("the run took %v: the hang was waited on", d)
	}
	var sb strings.Builder
	rep.Print(&sb)
	t.Log("\n" + sb.String())
	hung := false
	for _, f := range rep.Failures {
		hung = hung || strings.HasPrefix(f, "HUNG: worker") && strings.Contains(f, " in ")
	}
	if !hung {
		t.Error("no hung worker reported")
	}
}

// TestHarnessCatchesLostWrite: acknowledged sets that never happened make the sampled
// keys' histories non-linearizable, and the visualization is written.
func TestHarnessCatchesLostWrite(t *testing.T) {
	c := DefaultConfig()
	c.Workers, c.Kills, c.MinRun = 2, 0, time.Second
	c.SegmentSize = 64 << 20 // no evictions: the strict model
	c.fault = faultLie
	rep, err := Run(c)
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(rep.Dir)
	if rep.Linearizable() {
		t.Fatal("lost writes went unnoticed")
	}
	for _, k := range rep.Keys {
		if k.Result == "Illegal" {
			if _, err := os.Stat(k.Visualization); err != nil {
				t.Errorf("key %s: no visualization: %v", k.Key, err)
			}
			return
		}
	}
	t.Errorf("no key found illegal: %+v", rep.Keys)
}
