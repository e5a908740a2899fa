package harness_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/plibcached/plibcached/harness"
)

// TestMain lets this test binary be RunProcesses's child.
func TestMain(m *testing.M) {
	harness.RunChildIfAsked()
	os.Exit(m.Run())
}

// TestRunProcesses loads each shareable backend in this process and runs 4 threads split over
// 2 processes on it: both children must run, every read verified, and the merged result must
// count both processes and add their operations up.
func TestRunProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	for _, name := range []string{"plib-nopku", "lmdb", "memcached", "redis"} {
		t.Run(name, func(t *testing.T) {
			segment := ""
			if name == "plib-nopku" || name == "lmdb" {
				segment = filepath.Join("/dev/shm", fmt.Sprintf("plibcached-mp-test-%d-%s", os.Getpid(), name))
				t.Cleanup(func() { harness.RemoveLMDB(segment) })
			}
			props := properties(t, "recordcount=2000", "operationcount=0", "fieldcount=1", "fieldlength=128",
				"readproportion=0.9", "updateproportion=0.1", "requestdistribution=zipfian")
			b := prepareOrSkip(t, harness.Options{Backend: name, Properties: props, Threads: 4, ServerThreads: 2, Segment: segment, Seed: 3})
			if _, err := b.Load(context.Background()); err != nil {
				t.Fatal(err)
			}
			seg, attach, ok := b.SharedStore()
			if !ok {
				t.Fatalf("%s opened on a segment or server is not shareable", name)
			}
			res, err := harness.RunProcesses(context.Background(), harness.ProcessSpec{Backend: name, Properties: props,
				Workload: "mp", Threads: 4, Processes: 2, Segment: seg, Attach: attach, ServerThreads: 2,
				Duration: 300 * time.Millisecond, Seed: 5})
			if err != nil {
				t.Fatal(err)
			}
			if res.Processes != 2 || res.Threads != 2 {
				t.Fatalf("merged result: %d processes of %d threads, want 2 of 2", res.Processes, res.Threads)
			}
			read := res.Op("READ")
			if res.Operations < 100 || read == nil || read.OK < 50 || res.Throughput <= 0 {
				t.Fatalf("merged result: %d operations, READ %+v", res.Operations, read)
			}
		})
	}
	if _, err := harness.RunProcesses(context.Background(), harness.ProcessSpec{Threads: 3, Processes: 2, Duration: time.Second}); err == nil {
		t.Error("3 threads over 2 processes: no error")
	}
}
