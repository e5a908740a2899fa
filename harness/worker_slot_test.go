package harness

import (
	"context"
	"testing"

	"github.com/plibcached/plibcached/workloads"
)

// TestRunLoopAllocationFree checks that the harness's own per-operation path (choose, name the
// key, build the value, call, time, verify, record) allocates nothing on the gomap once warm.
func TestRunLoopAllocationFree(t *testing.T) {
	props, _, err := workloads.LoadProperties(nil, []string{"recordcount=1000", "operationcount=1000",
		"readproportion=0.5", "updateproportion=0.3", "readmodifywriteproportion=0.2"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := Prepare(Options{Backend: "gomap", Properties: props, Threads: 1, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if _, err := b.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	w, err := b.backend.NewWorker()
	if err != nil {
		t.Fatal(err)
	}
	slot := &workerSlot{backend: "gomap", worker: w}
	thread := b.workload.NewThread(0, 1, 7)
	step := func() {
		if err := slot.do(b.workload, thread, thread.Next(), true); err != nil {
			t.Fatal(err)
		}
	}
	for range 1000 { // create the recorders and grow the buffers
		step()
	}
	if allocs := testing.AllocsPerRun(1000, step); allocs != 0 {
		t.Errorf("%.2f allocations per operation, want 0", allocs)
	}
}
