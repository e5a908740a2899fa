//go:build linux && amd64

package pkey

import (
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Child processes for the fault tests. The parent (pku_test.go) re-executes the test binary with
// childModeEnv=mode; TestMain then calls runChild instead of running tests. A child prints
// "child: mapping LO-HI" and, right before the access meant to fault, childFaultMarker; a fault
// then kills it with the Go runtime's crash report, which the parent inspects.

const childModeEnv = "PKEY_TEST_CHILD_MODE"

const (
	childRead        = "read-outside-enter"
	childWrite       = "write-outside-enter"
	childEnter       = "enter-read-write-exit"
	childExitRevokes = "read-after-exit"
	childFreshThread = "read-on-fresh-thread"

	childFaultMarker = "child: about to touch the tagged mapping without rights"
	childOKMarker    = "child: accesses inside Enter succeeded"
)

// sink keeps faulting reads from being optimised away.
var sink byte

// runChild runs one child mode and returns the exit status; a mode that works as intended never
// returns from its faulting access.
func runChild(mode string) int {
	k, mem, err := childSetup()
	if err != nil {
		fmt.Fprintln(os.Stderr, "child setup:", err)
		return 3
	}
	page := unix.Getpagesize()
	switch mode {
	case childRead:
		fmt.Fprintln(os.Stderr, childFaultMarker)
		sink = mem[page/2]
	case childWrite:
		fmt.Fprintln(os.Stderr, childFaultMarker)
		mem[page+1] = 7
	case childEnter:
		runtime.LockOSThread()
		Enter(k)
		mem[0], mem[page] = 42, 43
		ok := mem[0]+mem[page] == 85 && k.CanWrite(PKRU())
		Exit(k)
		if !ok || k.CanRead(PKRU()) {
			fmt.Fprintf(os.Stderr, "child: wrong rights or data (PKRU %#x)\n", PKRU())
			return 3
		}
		fmt.Fprintln(os.Stderr, childOKMarker)
		return 0
	case childExitRevokes:
		runtime.LockOSThread()
		Enter(k)
		mem[0] = 42
		Exit(k)
		fmt.Fprintln(os.Stderr, childFaultMarker)
		sink = mem[0]
	case childFreshThread:
		return readOnFreshThread(k, mem)
	default:
		fmt.Fprintf(os.Stderr, "child: unknown mode %q\n", mode)
		return 3
	}
	fmt.Fprintln(os.Stderr, "child: the access did not fault")
	return 4
}

// childSetup allocates a key, maps two anonymous pages and tags them with it.
func childSetup() (Key, []byte, error) {
	k, err := Alloc()
	if err != nil {
		return 0, nil, err
	}
	mem, err := unix.Mmap(-1, 0, 2*unix.Getpagesize(), unix.PROT_READ|unix.PROT_WRITE,
		unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
	if err != nil {
		return 0, nil, err
	}
	if err := Protect(mem, unix.PROT_READ|unix.PROT_WRITE, k); err != nil {
		return 0, nil, err
	}
	lo := uintptr(unsafe.Pointer(&mem[0]))
	fmt.Fprintf(os.Stderr, "child: mapping %#x-%#x key %d\n", lo, lo+uintptr(len(mem)), k)
	return k, mem, nil
}

// readOnFreshThread holds the main thread inside Enter, then starts locked goroutines until one
// lands on an OS thread that did not exist when the main thread entered, and reads from there.
// The new threads are created while a locked thread has its rights raised, so this also checks
// that the runtime does not clone that thread (see the package documentation on the template
// thread).
func readOnFreshThread(k Key, mem []byte) int {
	runtime.LockOSThread()
	existing := threadIDs()
	Enter(k)
	mem[0] = 42 // this thread may
	for attempt := range 64 {
		found := make(chan bool)
		go func() {
			runtime.LockOSThread()
			id := tid()
			if slices.Contains(existing, id) {
				found <- false
				select {} // keep this thread occupied so that the next goroutine needs another
			}
			fmt.Fprintf(os.Stderr, "child: fresh thread %d (attempt %d), PKRU %#x\n", id, attempt, PKRU())
			fmt.Fprintln(os.Stderr, childFaultMarker)
			sink = mem[0]
			found <- true
		}()
		if <-found {
			fmt.Fprintln(os.Stderr, "child: the access did not fault")
			return 4
		}
	}
	fmt.Fprintln(os.Stderr, "child: no fresh thread after 64 locked goroutines")
	return 3
}

// threadIDs lists the process's threads from /proc/self/task.
func threadIDs() []int {
	entries, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return nil
	}
	ids := make([]int, 0, len(entries))
	for _, e := range entries {
		if id, err := strconv.Atoi(e.Name()); err == nil {
			ids = append(ids, id)
		}
	}
	return ids
}

// tid is the calling thread's kernel id.
func tid() int { return unix.Gettid() }
