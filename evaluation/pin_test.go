package evaluation

import (
	"runtime"
	"testing"

	"golang.org/x/sys/unix"
)

func TestPinProcess(t *testing.T) {
	var before unix.CPUSet
	if err := unix.SchedGetaffinity(0, &before); err != nil {
		t.Skip(err)
	}
	restore, err := pinProcess(0)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan int)
	go func() { // a new goroutine on a locked thread: whichever thread, it is pinned
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		var set unix.CPUSet
		unix.SchedGetaffinity(0, &set)
		done <- set.Count()
	}()
	if n := <-done; n != 1 {
		t.Errorf("a thread of the pinned process may run on %d CPUs, want 1", n)
	}
	restore()
	var after unix.CPUSet
	unix.SchedGetaffinity(0, &after)
	if after != before {
		t.Errorf("affinity after restore %v, want %v", after, before)
	}
}
