package harness_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/plibcached/plibcached/harness"
)

// sweepWorkload is a record set that a read-heavy and a write-heavy mix share.
var sweepWorkload = []string{"recordcount=5000", "operationcount=4000", "fieldcount=1", "fieldlength=128",
	"readproportion=0.95", "updateproportion=0.05", "requestdistribution=zipfian"}

// TestDeriveSweepsOneLoadedBackend loads once with four threads, then runs thread counts and a
// second mix on the same backend: every run reads only records the single load stored.
func TestDeriveSweepsOneLoadedBackend(t *testing.T) {
	for _, name := range []string{"gomap", "plib-nopku", "memcached"} {
		t.Run(name, func(t *testing.T) {
			parent := prepareOrSkip(t, harness.Options{Backend: name, Properties: properties(t, sweepWorkload...),
				Workload: "readheavy", Threads: 4, ServerThreads: 2, Seed: 7})
			if _, err := parent.LoadFast(context.Background()); err != nil {
				t.Fatalf("LoadFast: %v", err)
			}
			writeHeavy := properties(t, append(sweepWorkload, "readproportion=0.5", "updateproportion=0.5")...)
			for _, v := range []harness.Variant{
				{Threads: 1},
				{Threads: 3, Seed: 9},
				{Threads: 2, Properties: writeHeavy, Workload: "writeheavy"},
			} {
				d, err := parent.Derive(v)
				if err != nil {
					t.Fatalf("Derive(%+v): %v", v, err)
				}
				run, err := d.Run(context.Background())
				if err != nil {
					t.Fatalf("Run(%+v): %v", v, err)
				}
				checkReadUpdateRun(t, run, 4000)
				if run.Threads != v.Threads {
					t.Errorf("result threads %d, want %d", run.Threads, v.Threads)
				}
				if v.Workload != "" && (run.Workload != v.Workload || run.Properties["updateproportion"] != "0.5") {
					t.Errorf("derived result workload %q, updateproportion %s; want writeheavy, 0.5", run.Workload, run.Properties["updateproportion"])
				}
				if err := d.Close(); err != nil {
					t.Fatalf("derived Close: %v", err)
				}
			}
			verifyAllRecords(t, parent, 5000) // the derived Close left the parent's backend open
		})
	}
}

func TestDeriveDurationBoundedRun(t *testing.T) {
	parent := prepareOrSkip(t, harness.Options{Backend: "gomap", Properties: properties(t, sweepWorkload...), Threads: 2})
	if _, err := parent.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	d, err := parent.Derive(harness.Variant{Threads: 1, Duration: 100 * time.Millisecond, Warmup: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	run, err := d.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if run.Operations == 0 || run.WarmupMs != 50 || run.Properties["maxexecutiontime"] != "0.1" {
		t.Errorf("derived run: %d operations, warm-up %v ms, maxexecutiontime %q", run.Operations, run.WarmupMs, run.Properties["maxexecutiontime"])
	}
}

func TestDeriveRefuses(t *testing.T) {
	parent := prepareOrSkip(t, harness.Options{Backend: "gomap", Properties: properties(t, sweepWorkload...), Threads: 2})
	cases := []struct {
		name string
		v    harness.Variant
	}{
		{"more threads than the backend was sized for", harness.Variant{Threads: 3}},
		{"another record count", harness.Variant{Properties: properties(t, append(sweepWorkload, "recordcount=6000")...)}},
		{"another value size", harness.Variant{Properties: properties(t, append(sweepWorkload, "fieldlength=64")...)}},
		{"inserts the backend has no room for", harness.Variant{Properties: properties(t, append(sweepWorkload, "readproportion=0.5", "insertproportion=0.45")...)}},
	}
	for _, c := range cases {
		if _, err := parent.Derive(c.v); !errors.Is(err, harness.ErrInvalidOptions) {
			t.Errorf("%s: Derive err = %v, want ErrInvalidOptions", c.name, err)
		}
	}
	if err := parent.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := parent.Derive(harness.Variant{}); !errors.Is(err, harness.ErrInvalidOptions) {
		t.Errorf("Derive from a closed benchmark: err = %v, want ErrInvalidOptions", err)
	}
}

// TestLoadFastMemcached checks the pipelined load (memcached's, and Redis's through go-redis
// pipelines): every record stored and readable, the count checked, no insert latencies claimed.
func TestLoadFastMemcached(t *testing.T) {
	for _, name := range []string{"memcached", "memcached-unix", "redis", "redis-unix", "lmdb"} {
		t.Run(name, func(t *testing.T) {
			b := prepareOrSkip(t, harness.Options{Backend: name, Properties: properties(t, "recordcount=3001", "fieldlength=500"), Threads: 3})
			load, err := b.LoadFast(context.Background())
			if err != nil {
				t.Fatalf("LoadFast: %v", err)
			}
			if load.Operations != 3001 || load.Phase != "load" || len(load.Ops) != 0 || len(load.Notes) == 0 {
				t.Errorf("load result: %d operations, phase %q, %d op stats, notes %q", load.Operations, load.Phase, len(load.Ops), load.Notes)
			}
			verifyAllRecords(t, b, 3001)
		})
	}
}

// TestLoadFastRefusedSet checks that a set the server refuses (an item larger than its item size
// limit) fails the load instead of passing silently.
func TestLoadFastRefusedSet(t *testing.T) {
	b := prepareOrSkip(t, harness.Options{Backend: "memcached", Properties: properties(t, "recordcount=10", "fieldlength=2000000"), Threads: 1})
	if _, err := b.LoadFast(context.Background()); err == nil {
		t.Fatal("LoadFast of 2 MB items into a memcached with a 1 MB item limit succeeded")
	}
}

// checkReadUpdateRun checks that a read/update run did ops operations, of both kinds, none missing.
func checkReadUpdateRun(t *testing.T, run *harness.Result, ops int64) {
	t.Helper()
	read, update := run.Op("READ"), run.Op("UPDATE")
	if run.Operations != ops || read == nil || update == nil || read.Count+update.Count != ops {
		t.Fatalf("run did %d operations (%+v), want %d reads and updates", run.Operations, run.Ops, ops)
	}
	if read.NotFound+update.NotFound != 0 {
		t.Errorf("%d reads and %d updates missed: every record was loaded", read.NotFound, update.NotFound)
	}
}
