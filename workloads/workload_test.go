package workloads

import (
	"fmt"
	"math"
	"slices"
	"sync"
	"testing"
)

func TestBuiltinWorkloadMixes(t *testing.T) {
	const ops = 1_000_000
	for _, tc := range []struct {
		name string
		want [4]float64 // read, update, insert, read-modify-write
	}{
		{"workloada", [4]float64{0.5, 0.5, 0, 0}},
		{"workloadb", [4]float64{0.95, 0.05, 0, 0}},
		{"workloadc", [4]float64{1, 0, 0, 0}},
		{"workloadd", [4]float64{0.95, 0, 0.05, 0}},
		{"workloadf", [4]float64{0.5, 0, 0, 0.5}},
		{"paper-readheavy", [4]float64{0.95, 0.05, 0, 0}},
		{"paper-writeheavy", [4]float64{0.5, 0.5, 0, 0}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := mustBuiltin(t, tc.name)
			th := w.NewThread(0, 1, 42)
			var counts [5]int
			for range ops {
				op := th.Next()
				counts[op.Type]++
				if op.Type == OpInsert {
					th.Acknowledge(op.KeyNum)
				}
			}
			if th.Err() != nil {
				t.Fatal(th.Err())
			}
			if counts[OpScan] != 0 {
				t.Errorf("%d scans", counts[OpScan])
			}
			for i, p := range tc.want {
				got := float64(counts[i]) / ops
				// Within 0.5 percentage points, and within 5 standard deviations of the binomial.
				sigma := math.Sqrt(p * (1 - p) / ops)
				if math.Abs(got-p) > min(0.005, 5*sigma+1e-9) {
					t.Errorf("%v: %.5f of operations, want %.2f", OpType(i), got, p)
				}
			}
		})
	}
}

func TestPaperWorkloads(t *testing.T) {
	for _, name := range []string{"paper-readheavy", "paper-writeheavy"} {
		for _, size := range []int64{128, 5120} {
			w := mustBuiltin(t, name, fmt.Sprintf("fieldlength=%d", size))
			if w.RecordCount != 40_000_000 || w.FieldCount != 1 || w.RequestDistribution != "zipfian" {
				t.Errorf("%s: %d records, %d fields, %s", name, w.RecordCount, w.FieldCount, w.RequestDistribution)
			}
			if w.MaxValueSize() != int(size) {
				t.Errorf("%s: max value size %d, want %d", name, w.MaxValueSize(), size)
			}
			th := w.NewThread(0, 1, 1)
			key := w.KeyName(nil, 12345)
			if v := th.Value(nil, key, 1); len(v) != int(size) || VerifyValue(key, v) != nil {
				t.Errorf("%s: value of %d bytes for %d-byte items", name, len(v), size)
			}
		}
	}
}

// stream records n operations of a thread, acknowledging inserts as they come.
func stream(w *CoreWorkload, thread, threads int, seed int64, n int) []Op {
	th := w.NewThread(thread, threads, seed)
	ops := make([]Op, n)
	for i := range ops {
		ops[i] = th.Next()
		if ops[i].Type == OpInsert {
			th.Acknowledge(ops[i].KeyNum)
		}
	}
	return ops
}

func TestThreadStreamsAreDeterministic(t *testing.T) {
	const threads, n = 4, 20_000
	for _, name := range []string{"workloada", "workloadd"} {
		w := mustBuiltin(t, name, "recordcount=10000", "operationcount=100000")
		serial := make([][]Op, threads)
		for i := range threads {
			serial[i] = stream(w, i, threads, 99, n)
		}
		// The same streams again, from a fresh workload, all threads at once.
		w2 := mustBuiltin(t, name, "recordcount=10000", "operationcount=100000")
		concurrent := make([][]Op, threads)
		var wg sync.WaitGroup
		for i := range threads {
			wg.Add(1)
			go func() {
				defer wg.Done()
				concurrent[i] = stream(w2, threads-1-i, threads, 99, n)
			}()
		}
		wg.Wait()
		slices.Reverse(concurrent)
		for i := range threads {
			if !slices.Equal(serial[i], concurrent[i]) {
				t.Errorf("%s: thread %d's stream depends on scheduling", name, i)
			}
		}
		if slices.Equal(serial[0], serial[1]) {
			t.Errorf("%s: threads 0 and 1 have the same stream", name)
		}
		if slices.Equal(serial[0], stream(w, 0, threads, 100, n)) {
			t.Errorf("%s: seeds 99 and 100 give the same stream", name)
		}
	}
}

func TestThreadInsertsPartitionNewRecords(t *testing.T) {
	w := mustWorkload(t, Properties{"recordcount": "100", "readproportion": "0", "updateproportion": "0", "insertproportion": "1"})
	seen := map[int64]bool{}
	threads := []*Thread{w.NewThread(0, 3, 1), w.NewThread(1, 3, 1), w.NewThread(2, 3, 1)}
	for range 10 {
		for _, th := range threads {
			op := th.Next()
			if op.Type != OpInsert || op.KeyNum < 100 || seen[op.KeyNum] {
				t.Fatalf("insert %+v: not a new record number", op)
			}
			seen[op.KeyNum] = true
		}
	}
	for k := int64(100); k < 130; k++ {
		if !seen[k] {
			t.Errorf("record %d never inserted: threads' inserts leave gaps", k)
		}
	}
}

func TestReadsFollowAcknowledgedInserts(t *testing.T) {
	for _, visibility := range []string{"thread", "acknowledged"} {
		w := mustWorkload(t, Properties{"recordcount": "100", "readproportion": "0.5", "insertproportion": "0.5",
			"updateproportion": "0", "requestdistribution": "latest", "insertvisibility": visibility})
		th := w.NewThread(0, 1, 5)
		var pending []int64
		acked := int64(99)
		for i := range 5000 {
			op := th.Next()
			switch op.Type {
			case OpInsert:
				pending = append(pending, op.KeyNum)
			default:
				if op.KeyNum > acked {
					t.Fatalf("%s: read of record %d, but only records ≤ %d are acknowledged", visibility, op.KeyNum, acked)
				}
			}
			if i%7 == 6 { // acknowledge in bursts, newest first
				for j := len(pending) - 1; j >= 0; j-- {
					th.Acknowledge(pending[j])
				}
				acked += int64(len(pending))
				pending = pending[:0]
			}
		}
		if th.Err() != nil {
			t.Errorf("%s: %v", visibility, th.Err())
		}
		if acked < 200 {
			t.Errorf("%s: only %d inserts", visibility, acked-99)
		}
	}
}

func TestAcknowledgeMisuseIsRecorded(t *testing.T) {
	w := mustWorkload(t, Properties{"recordcount": "100", "readproportion": "0", "updateproportion": "0", "insertproportion": "1"})
	th := w.NewThread(1, 2, 1)
	th.Acknowledge(101) // not yet issued
	if th.Err() == nil {
		t.Error("acknowledging an insert never issued: no error")
	}
	th = w.NewThread(1, 2, 1)
	op := th.Next()
	th.Acknowledge(op.KeyNum - 1) // thread 0's
	th.Acknowledge(op.KeyNum)
	th.Acknowledge(op.KeyNum) // twice
	if th.Err() == nil {
		t.Error("misuse not recorded")
	}
}

func TestAcknowledgedVisibilityConcurrent(t *testing.T) {
	w := mustBuiltin(t, "workloadd", "recordcount=1000", "insertvisibility=acknowledged")
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			th := w.NewThread(i, 4, 7)
			for range 20_000 {
				op := th.Next()
				if op.Type == OpInsert {
					th.Acknowledge(op.KeyNum)
				} else if op.KeyNum > w.acked.lastValue() {
					t.Errorf("read of unacknowledged record %d", op.KeyNum)
					return
				}
			}
			if th.Err() != nil {
				t.Error(th.Err())
			}
		}()
	}
	wg.Wait()
	if w.acked.lastValue() != w.acked.counter.lastValue() {
		t.Errorf("limit %d, but %d inserts were issued and acknowledged", w.acked.lastValue(), w.acked.counter.lastValue())
	}
}

func TestEveryDistributionStaysInRange(t *testing.T) {
	for _, dist := range []string{"uniform", "zipfian", "latest", "hotspot", "sequential", "exponential"} {
		w := mustWorkload(t, Properties{"recordcount": "500", "insertstart": "100", "insertcount": "300",
			"operationcount": "1000", "requestdistribution": dist})
		th := w.NewThread(2, 3, 11)
		for range 20_000 {
			op := th.Next()
			lo, hi := int64(100), int64(399)
			switch dist {
			case "latest", "exponential": // relative to the newest record
				lo, hi = 0, 499
			case "zipfian": // YCSB's ScrambledZipfianGenerator(insertstart, insertstart+insertcount) is inclusive
				hi = 400
			}
			if op.KeyNum < lo || op.KeyNum > hi {
				t.Fatalf("%s: record %d outside [%d, %d]", dist, op.KeyNum, lo, hi)
			}
		}
	}
}

func TestLoadRange(t *testing.T) {
	w := mustWorkload(t, Properties{"recordcount": "1000", "insertstart": "10", "insertcount": "103"})
	next := int64(10)
	for i := range 7 {
		start, end := w.LoadRange(i, 7)
		if start != next || end-start < 14 || end-start > 15 {
			t.Errorf("thread %d loads [%d, %d)", i, start, end)
		}
		next = end
	}
	if next != 113 {
		t.Errorf("the threads load up to %d, want 113", next)
	}
	for _, bad := range [][2]int{{-1, 2}, {2, 2}, {0, 0}} {
		if s, e := w.LoadRange(bad[0], bad[1]); s != e {
			t.Errorf("LoadRange(%d, %d) = [%d, %d), want empty", bad[0], bad[1], s, e)
		}
	}
}

func TestNewThreadNormalisesArguments(t *testing.T) {
	w := mustBuiltin(t, "workloada")
	a, b := w.NewThread(5, 3, 1), w.NewThread(2, 3, 1)
	for range 100 {
		if a.Next() != b.Next() {
			t.Fatal("thread 5 of 3 differs from thread 2 of 3")
		}
	}
	if th := w.NewThread(0, 0, 1); th.threads != 1 {
		t.Errorf("threads=0 taken as %d", th.threads)
	}
}

func TestNextDoesNotAllocate(t *testing.T) {
	for _, name := range []string{"workloada", "workloadd", "paper-readheavy"} {
		w := mustBuiltin(t, name)
		th := w.NewThread(0, 1, 1)
		allocs := testing.AllocsPerRun(10_000, func() {
			if op := th.Next(); op.Type == OpInsert {
				th.Acknowledge(op.KeyNum)
			}
		})
		if allocs != 0 {
			t.Errorf("%s: Next allocates %v times per call", name, allocs)
		}
	}
}
