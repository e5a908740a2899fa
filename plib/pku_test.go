package plib

import (
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

func init() {
	children["touch"] = childTouch
}

// childTouch opens the segment in the mode arg names ("pku/read", "nopku/write",
// "pku/freshthread", ...), stores an item through the library, then touches the segment
// from application code outside any call. It prints TOUCHED if the access succeeded.
func childTouch(path, arg string) int {
	mode, access, _ := strings.Cut(arg, "/")
	opts := testOptions(ModeNoPKU)
	if mode == "pku" {
		opts.Protection = ModePKU
	}
	clock := newPanicClock()
	opts.Clock = clock
	c, err := Open(path, opts)
	if err != nil {
		fmt.Println("open:", err)
		return 3
	}
	if err := c.Set(&Item{Key: "k", Value: []byte("secret")}); err != nil {
		fmt.Println("set:", err)
		return 3
	}
	if it, err := c.Get("k"); err != nil || string(it.Value) != "secret" {
		fmt.Println("get through the library failed:", err)
		return 3
	}
	fmt.Println("LIBRARY OK")
	target := &c.seg.mem[c.seg.layout.kvOff+64]
	switch access {
	case "read":
		fmt.Println("read", *target)
	case "write":
		*target = 1
	case "afterpanic":
		// The caller's clock panics inside Get; the caller recovers and reads on.
		runtime.LockOSThread() // the thread that made the call reads
		clock.arm(1)
		fmt.Println("recovered:", callRecovered(func() { c.Get("k") }))
		fmt.Println("read", *target)
	case "freshthread":
		// A goroutine that has never been inside a call, on an OS thread created now.
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			runtime.LockOSThread() // keep this thread to itself; it exits with the goroutine
			fmt.Println("read", *target)
		}()
		wg.Wait()
	}
	fmt.Println("TOUCHED")
	return 0
}

// TestOutsideCallAccess: with PKU, reading and (separately) writing segment memory from
// application code outside a call kills the process with SIGSEGV / SEGV_PKUERR, and so
// does a read from a goroutine on a freshly created thread, and a read by the thread
// that has just recovered from a panic of its Clock inside Get; with NoPKU the same
// accesses succeed. The parent asserts the exact death.
func TestOutsideCallAccess(t *testing.T) {
	for _, access := range []string{"read", "write", "freshthread", "afterpanic"} {
		t.Run("nopku/"+access, func(t *testing.T) {
			r := runChild(t, "touch", filepath.Join(t.TempDir(), "seg"), "nopku/"+access)
			if r.code != 0 || !strings.Contains(r.out, "TOUCHED") {
				t.Fatalf("NoPKU access failed (exit %d):\n%s", r.code, r.out)
			}
		})
		t.Run("pku/"+access, func(t *testing.T) {
			skipWithoutPKU(t)
			r := runChild(t, "touch", filepath.Join(t.TempDir(), "seg"), "pku/"+access)
			if !strings.Contains(r.out, "LIBRARY OK") || strings.Contains(r.out, "TOUCHED") || !r.pkuFault() {
				t.Fatalf("want the library to work and the outside access to die of SEGV_PKUERR; exit %d:\n%s", r.code, r.out)
			}
		})
	}
}

func skipWithoutPKU(t testing.TB) {
	t.Helper()
	if err := PKUSupported(); err != nil {
		t.Skipf("PKU unavailable, so this PKU test cannot run here: %v", err)
	}
}
