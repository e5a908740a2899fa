package harness_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/plibcached/plibcached/harness"
	"github.com/plibcached/plibcached/workloads"
)

// smallWorkload is 10,000 records and every operation the harness supports. Inserts are visible
// once acknowledged (YCSB's rule), so no read may miss and the records stay contiguous.
var smallWorkload = []string{
	"recordcount=10000", "operationcount=20000", "fieldcount=2", "fieldlength=100",
	"readproportion=0.5", "updateproportion=0.2", "insertproportion=0.1", "readmodifywriteproportion=0.2",
	"requestdistribution=zipfian", "insertvisibility=acknowledged",
}

// properties builds workload properties from overrides, failing the test on error.
func properties(t *testing.T, overrides ...string) workloads.Properties {
	t.Helper()
	props, _, err := workloads.LoadProperties(nil, overrides)
	if err != nil {
		t.Fatalf("LoadProperties(%v): %v", overrides, err)
	}
	return props
}

// prepareOrSkip prepares a benchmark, skipping when the backend cannot run here.
func prepareOrSkip(t *testing.T, opts harness.Options) *harness.Benchmark {
	t.Helper()
	b, err := harness.Prepare(opts)
	if errors.Is(err, harness.ErrUnavailable) {
		t.Skipf("%s unavailable: %v", opts.Backend, err)
	}
	if err != nil {
		t.Fatalf("Prepare(%s): %v", opts.Backend, err)
	}
	t.Cleanup(func() {
		if err := b.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return b
}

// TestEveryBackendSmallWorkload loads 10,000 records into every backend, runs a mix of every
// operation with every read verified by the harness, then reads every record back and verifies
// it independently.
func TestEveryBackendSmallWorkload(t *testing.T) {
	for _, name := range testedBackends {
		t.Run(name, func(t *testing.T) {
			b := prepareOrSkip(t, harness.Options{Backend: name, Properties: properties(t, smallWorkload...),
				Workload: "small", Threads: 4, ServerThreads: 2, Seed: 42})
			load, err := b.Load(context.Background())
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if load.Operations != 10000 || load.Op("INSERT") == nil || load.Op("INSERT").OK != 10000 {
				t.Fatalf("Load inserted %d records (%+v), want 10000", load.Operations, load.Op("INSERT"))
			}
			run, err := b.Run(context.Background())
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			checkRunCounts(t, run, 20000)
			inserted := run.Op("INSERT").Count
			verifyAllRecords(t, b, 10000+inserted)
		})
	}
}

// checkRunCounts checks that the run did ops top-level operations and that the per-type counts
// add up to them (a read-modify-write also counts as a READ and an UPDATE) without misses.
func checkRunCounts(t *testing.T, run *harness.Result, ops int64) {
	t.Helper()
	if run.Operations != ops {
		t.Fatalf("Run did %d operations, want %d", run.Operations, ops)
	}
	var sum int64
	for _, name := range []string{"READ", "UPDATE", "INSERT", "READ-MODIFY-WRITE"} {
		op := run.Op(name)
		if op == nil || op.Count == 0 {
			t.Fatalf("no %s operations in %+v", name, run.Ops)
		}
		if op.NotFound != 0 {
			t.Errorf("%s: %d misses, want none (every key read was loaded or acknowledged)", name, op.NotFound)
		}
		if op.MeanUs <= 0 || op.P99Us < op.P50Us || op.MaxUs < op.MinUs {
			t.Errorf("%s: implausible latencies %+v", name, op)
		}
		sum += op.Count
	}
	sum -= 2 * run.Op("READ-MODIFY-WRITE").Count
	if sum != ops {
		t.Errorf("per-operation counts add up to %d, want %d", sum, ops)
	}
}

// verifyAllRecords reads records 0..n-1 and checks each against its checksum.
func verifyAllRecords(t *testing.T, b *harness.Benchmark, n int64) {
	t.Helper()
	w, err := b.Backend().NewWorker()
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	var key, value []byte
	for keynum := int64(0); keynum < n; keynum++ {
		key = b.Workload().KeyName(key[:0], keynum)
		value, err = w.Get(key, value)
		if err != nil {
			t.Fatalf("record %d (%s): %v", keynum, key, err)
		}
		if err := workloads.VerifyValue(key, value); err != nil {
			t.Fatalf("record %d (%s): %v", keynum, key, err)
		}
	}
}

func TestRunForDurationWithWarmup(t *testing.T) {
	b := prepareOrSkip(t, harness.Options{Backend: "gomap", Properties: properties(t, smallWorkload...),
		Threads: 2, Duration: 200 * time.Millisecond, Warmup: 100 * time.Millisecond})
	if _, err := b.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	run, err := b.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if run.Operations == 0 || run.WarmupMs != 100 || run.Properties["maxexecutiontime"] != "0.2" {
		t.Fatalf("duration run: %d operations, warm-up %v ms, maxexecutiontime %q", run.Operations, run.WarmupMs, run.Properties["maxexecutiontime"])
	}
}

func TestRunStopsWhenCancelled(t *testing.T) {
	b := prepareOrSkip(t, harness.Options{Backend: "gomap", Properties: properties(t, smallWorkload...),
		Threads: 2, Duration: time.Hour})
	if _, err := b.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := b.Run(ctx)
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "interrupted") {
		t.Fatalf("cancelled run: err = %v, want an interruption wrapping the context's cause", err)
	}
}

func TestInvalidOptions(t *testing.T) {
	cases := []struct {
		name    string
		opts    harness.Options
		want    error
		message string
	}{
		{"no backend", harness.Options{Properties: properties(t, "recordcount=10")}, harness.ErrInvalidOptions, "no backend"},
		{"unknown backend", harness.Options{Backend: "nope", Properties: properties(t, "recordcount=10")}, harness.ErrUnknownBackend, "gomap"},
		{"negative threads", harness.Options{Backend: "gomap", Threads: -1, Properties: properties(t, "recordcount=10")}, harness.ErrInvalidOptions, "threads"},
		{"threadcount not a number", harness.Options{Backend: "gomap", Properties: properties(t, "threadcount=many")}, harness.ErrInvalidOptions, "threadcount"},
		{"bad recordcount", harness.Options{Backend: "gomap", Properties: properties(t, "recordcount=lots")}, harness.ErrInvalidOptions, "recordcount"},
		{"scan", harness.Options{Backend: "gomap", Properties: properties(t, "scanproportion=0.5", "readproportion=0.5", "updateproportion=0")}, harness.ErrUnsupportedOp, "scan"},
		{"bad maxexecutiontime", harness.Options{Backend: "gomap", Properties: properties(t, "maxexecutiontime=soon")}, harness.ErrInvalidOptions, "maxexecutiontime"},
		{"threads past total", harness.Options{Backend: "gomap", Threads: 4, ThreadBase: 2, TotalThreads: 4, Properties: properties(t, "recordcount=10")}, harness.ErrInvalidOptions, "total threads"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, err := harness.Prepare(c.opts)
			if err == nil {
				b.Close()
				t.Fatal("Prepare succeeded")
			}
			if !errors.Is(err, c.want) || !strings.Contains(strings.ToLower(err.Error()), c.message) {
				t.Fatalf("err = %v, want %v mentioning %q", err, c.want, c.message)
			}
		})
	}
}

func TestRunNeedsABound(t *testing.T) {
	b := prepareOrSkip(t, harness.Options{Backend: "gomap", Properties: properties(t, "recordcount=10", "operationcount=0")})
	if err := b.CheckRun(); !errors.Is(err, harness.ErrInvalidOptions) {
		t.Fatalf("CheckRun with operationcount=0 and no duration: %v, want ErrInvalidOptions", err)
	}
	if _, err := b.Run(context.Background()); !errors.Is(err, harness.ErrInvalidOptions) || !strings.Contains(err.Error(), "operationcount") {
		t.Fatalf("Run with operationcount=0 and no duration: %v, want ErrInvalidOptions naming operationcount", err)
	}
}

func TestRefusesWorkloadThatDoesNotFitBeforeLoading(t *testing.T) {
	avail, err := harness.MemAvailable()
	if err != nil {
		t.Skipf("no /proc/meminfo: %v", err)
	}
	records := fmt.Sprintf("recordcount=%d", avail/500) // of ~1 KB each: twice what is available
	for _, name := range testedBackends {
		_, err := harness.Prepare(harness.Options{Backend: name, Properties: properties(t, records)})
		if errors.Is(err, harness.ErrUnavailable) {
			continue
		}
		if !errors.Is(err, harness.ErrInsufficientMemory) {
			t.Fatalf("%s: err = %v, want ErrInsufficientMemory", name, err)
		}
	}
}

// TestMultiProcessShares runs a "process" holding threads 2 and 3 of 4: it loads exactly those
// threads' ranges and runs their share of the operations.
func TestMultiProcessShares(t *testing.T) {
	props := properties(t, "recordcount=1000", "operationcount=1001", "readproportion=1", "updateproportion=0")
	b := prepareOrSkip(t, harness.Options{Backend: "gomap", Properties: props, Threads: 2, ThreadBase: 2, TotalThreads: 4, Processes: 2})
	load, err := b.Load(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var want int64
	for thread := 2; thread < 4; thread++ {
		start, end := b.Workload().LoadRange(thread, 4)
		want += end - start
	}
	if load.Operations != want {
		t.Fatalf("process with threads 2-3 of 4 loaded %d records, want %d", load.Operations, want)
	}
	if load.Processes != 2 || load.Threads != 2 {
		t.Errorf("result says %d processes × %d threads, want 2 × 2", load.Processes, load.Threads)
	}
}

// TestCorruptReadIsAnError runs against a backend that damages one value in a hundred: the run
// must fail naming the key, never count the read.
func TestCorruptReadIsAnError(t *testing.T) {
	b := prepareOrSkip(t, harness.Options{Backend: "corrupting-gomap", Properties: properties(t, smallWorkload...), Threads: 2})
	if _, err := b.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	_, err := b.Run(context.Background())
	if !errors.Is(err, harness.ErrCorruptRead) || !strings.Contains(err.Error(), "user") {
		t.Fatalf("run over corrupt values: err = %v, want ErrCorruptRead naming the key", err)
	}
}

func init() {
	harness.Register("corrupting-gomap", func(cfg harness.Config) (harness.Backend, error) {
		inner, err := harness.Open("gomap", cfg)
		return corruptingBackend{inner}, err
	}, "test only: gomap that flips a bit in one value read in a hundred")
}

type corruptingBackend struct{ harness.Backend }

func (b corruptingBackend) NewWorker() (harness.Worker, error) {
	w, err := b.Backend.NewWorker()
	return &corruptingWorker{Worker: w}, err
}

type corruptingWorker struct {
	harness.Worker
	reads int
}

func (w *corruptingWorker) Get(key, dst []byte) ([]byte, error) {
	v, err := w.Worker.Get(key, dst)
	if w.reads++; err == nil && w.reads%100 == 0 && len(v) > 0 {
		v[len(v)/2] ^= 0x10
	}
	return v, err
}

func TestResultsSerialiseAndMerge(t *testing.T) {
	var parts []*harness.Result
	for i := 0; i < 2; i++ {
		b := prepareOrSkip(t, harness.Options{Backend: "gomap", Workload: "small", Properties: properties(t, smallWorkload...), Threads: 2, Seed: int64(i + 1)})
		if _, err := b.Load(context.Background()); err != nil {
			t.Fatal(err)
		}
		run, err := b.Run(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := harness.WriteResultJSON(&buf, run); err != nil {
			t.Fatal(err)
		}
		back, err := harness.ReadResultJSON(&buf)
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, back)
	}
	merged, err := harness.MergeResults(parts)
	if err != nil {
		t.Fatal(err)
	}
	if merged.Processes != 2 || merged.Operations != 40000 {
		t.Fatalf("merged %d processes, %d operations; want 2, 40000", merged.Processes, merged.Operations)
	}
	for _, op := range merged.Ops {
		want := parts[0].Op(op.Name).Count + parts[1].Op(op.Name).Count
		if op.Count != want || op.MinUs > op.P50Us || op.P50Us > op.MaxUs {
			t.Errorf("%s merged: %+v, want count %d", op.Name, op, want)
		}
	}
	parts[1].Backend = "memcached"
	if _, err := harness.MergeResults(parts); !errors.Is(err, harness.ErrIncompatibleResults) {
		t.Fatalf("merging different backends: err = %v, want ErrIncompatibleResults", err)
	}
}
