//go:build linux && amd64

package pkey

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"strconv"
	"testing"
	"time"
)

// Tests that execute PKU instructions. They skip, saying why, where Supported() fails; on PKU
// hardware they run in full. Tests that must watch a fault kill a process run it as a child:
// the test binary re-executed with childModeEnv set (see child_test.go).

func TestMain(m *testing.M) {
	if mode := os.Getenv(childModeEnv); mode != "" {
		os.Exit(runChild(mode))
	}
	os.Exit(m.Run())
}

// requirePKU skips tb unless protection keys are usable here.
func requirePKU(tb testing.TB) {
	tb.Helper()
	if err := Supported(); err != nil {
		tb.Skipf("PKU unavailable: %v", err)
	}
}

// TestEnterExitRights checks the register itself, on one locked thread: a fresh key starts
// denied, Enter opens exactly it, Exit closes exactly it, other keys' bits never move.
func TestEnterExitRights(t *testing.T) {
	requirePKU(t)
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	k, err := Alloc()
	if err != nil {
		t.Fatalf("Alloc: %v", err)
	}
	defer Free(k)

	before := PKRU()
	if k.CanRead(before) {
		t.Fatalf("after Alloc, PKRU %#x allows key %d", before, k)
	}
	Enter(k)
	inside := PKRU()
	Exit(k)
	after := PKRU()
	if !k.CanWrite(inside) {
		t.Errorf("inside Enter, PKRU %#x does not allow key %d", inside, k)
	}
	if k.RightsIn(after) != DenyAll {
		t.Errorf("after Exit, PKRU %#x: key %d rights %d, want DenyAll", after, k, k.RightsIn(after))
	}
	others := ^k.Mask()
	if inside&others != before&others || after&others != before&others {
		t.Errorf("other keys' bits moved: before %#x inside %#x after %#x", before, inside, after)
	}

	// Exit recomputes deny from the current value: an unbalanced double Enter still ends denied.
	Enter(k)
	Enter(k)
	Exit(k)
	if k.CanRead(PKRU()) {
		t.Errorf("Enter, Enter, Exit left PKRU %#x allowing key %d", PKRU(), k)
	}
}

// TestOtherThreadsDenyNewKey checks, without faulting, that a thread other than the allocating
// one, created after Alloc while the allocating thread is inside Enter, denies the key.
func TestOtherThreadsDenyNewKey(t *testing.T) {
	requirePKU(t)
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	k, err := Alloc()
	if err != nil {
		t.Fatalf("Alloc: %v", err)
	}
	defer Free(k)
	Enter(k)
	defer Exit(k)

	self := tid()
	seen := make(chan [2]int)
	release := make(chan struct{})
	defer close(release)
	for range 8 { // several locked goroutines: some of them need fresh threads
		go func() {
			runtime.LockOSThread() // never unlocked: the thread exits with the goroutine
			seen <- [2]int{tid(), int(PKRU())}
			<-release
		}()
	}
	for range 8 {
		s := <-seen
		if s[0] == self {
			t.Errorf("a locked goroutine ran on the test's own locked thread %d", self)
		}
		if k.CanRead(uint32(s[1])) {
			t.Errorf("thread %d has PKRU %#x allowing key %d while thread %d is inside Enter",
				s[0], uint32(s[1]), k, self)
		}
	}
}

// TestFaultOutsideEnter: reading or writing tagged pages outside Enter kills the process with
// SEGV_PKUERR; inside Enter both work; after Exit the access faults again.
func TestFaultOutsideEnter(t *testing.T) {
	requirePKU(t)
	for _, mode := range []string{childRead, childWrite, childExitRevokes, childFreshThread} {
		t.Run(mode, func(t *testing.T) { expectPKUFault(t, mode) })
	}
	t.Run(childEnter, func(t *testing.T) {
		out, err := runChildProcess(t, childEnter)
		if err != nil || !bytes.Contains(out, []byte(childOKMarker)) {
			t.Fatalf("child %s: err=%v, want success and %q; output:\n%s", childEnter, err, childOKMarker, out)
		}
	})
}

var (
	faultLine   = regexp.MustCompile(`signal SIGSEGV: segmentation violation code=0x4 addr=(0x[0-9a-f]+)`)
	mappingLine = regexp.MustCompile(`child: mapping (0x[0-9a-f]+)-(0x[0-9a-f]+)`)
)

// expectPKUFault runs the child in mode and asserts that it died of a protection-key fault
// (si_code SEGV_PKUERR = 4) inside its tagged mapping, after printing the marker that precedes
// the faulting access.
func expectPKUFault(t *testing.T, mode string) {
	t.Helper()
	out, err := runChildProcess(t, mode)
	if err == nil {
		t.Fatalf("child %s exited 0; want a SEGV_PKUERR crash. Output:\n%s", mode, out)
	}
	if !bytes.Contains(out, []byte(childFaultMarker)) {
		t.Fatalf("child %s failed before the faulting access (%v). Output:\n%s", mode, err, out)
	}
	fault := faultLine.FindSubmatch(out)
	mapping := mappingLine.FindSubmatch(out)
	if fault == nil || mapping == nil {
		t.Fatalf("child %s: %v, but no %q crash report inside a printed mapping. Output:\n%s",
			mode, err, faultLine, out)
	}
	addr, lo, hi := parseHex(t, fault[1]), parseHex(t, mapping[1]), parseHex(t, mapping[2])
	if addr < lo || addr >= hi {
		t.Errorf("fault address %#x outside the tagged mapping %#x-%#x", addr, lo, hi)
	}
}

// runChildProcess re-executes the test binary in child mode and returns its combined output.
func runChildProcess(t *testing.T, mode string) ([]byte, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childModeEnv+"="+mode, "GOTRACEBACK=single")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.Bytes(), err
}

func parseHex(t *testing.T, b []byte) uint64 {
	t.Helper()
	v, err := strconv.ParseUint(string(b[2:]), 16, 64)
	if err != nil {
		t.Fatalf("parse %q: %v", b, err)
	}
	return v
}
