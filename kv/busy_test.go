package kv

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/plibcached/plibcached/internal/proctest"
)

// threadCPU returns the CPU time the calling OS thread has used. The caller must be locked
// to its thread.
func threadCPU(t *testing.T) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(1 /* RUSAGE_THREAD */, &ru); err != nil {
		t.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// busyCall runs f on a locked thread and returns its error, its wall time and the CPU
// time it used.
func busyCall(t *testing.T, f func() error) (err error, wall, cpu time.Duration) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	c0, t0 := threadCPU(t), time.Now()
	err = f()
	return err, time.Since(t0), threadCPU(t) - c0
}

// wantBusy checks that err is a BusyError naming holder and lock kind, that the call
// waited at least the timeout, and that it slept rather than spun while it waited.
func wantBusy(t *testing.T, err error, wall, cpu, timeout time.Duration, holder Slot, lock string) {
	t.Helper()
	var be *BusyError
	if !errors.As(err, &be) || !errors.Is(err, ErrBusy) {
		t.Fatalf("got %v, want a BusyError", err)
	}
	if be.Holder != holder || be.Lock != lock {
		t.Errorf("BusyError names slot %d's %s lock, want slot %d's %s lock", be.Holder, be.Lock, holder, lock)
	}
	if wall < timeout {
		t.Errorf("gave up after %v, before the %v timeout", wall, timeout)
	}
	if cpu > wall/2 {
		t.Errorf("waiting %v burned %v of CPU: the waiter spun instead of sleeping", wall, cpu)
	}
}

// TestLiveHolderGivesBusy: a live client keeps a stripe lock (as a stopped process
// would). A Get of a key in that stripe reads it without waiting; once the holder is
// inside its publishing window (the stripe's version odd) the Get, and a Set that needs
// a held class lock, each give up after Options.LockTimeout with a BusyError naming the
// holder, having slept rather than spun, and the Set changes nothing. Before the fix
// every one of them waited for ever at 100% CPU.
func TestLiveHolderGivesBusy(t *testing.T) {
	const timeout = 200 * time.Millisecond
	s, err := Format(alignedRegion(4<<20), crashSmall, Options{Clock: NewManualClock(testNow), LockTimeout: timeout})
	if err != nil {
		t.Fatal(err)
	}
	key, val := []byte("busy"), bytes.Repeat([]byte("o"), 100)
	if _, err := s.Set(crashRepairer, key, val, 0, 0); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 200)
	if _, err := s.Get(crashRepairer, key, buf); err != nil { // sets the fetched bit
		t.Fatal(err)
	}
	stopped := holder(crashVictim)
	stripe := s.stripeOf(hashKey(key))
	s.lock(stripe, stopped)
	if !raceEnabled { // under the race detector every read takes the lock (race_on.go)
		t0 := time.Now()
		if m, err := s.Get(crashRepairer, key, buf); err != nil || !bytes.Equal(buf[:m.Len], val) {
			t.Errorf("get of a held stripe: %q, %v; want the value, without waiting", buf[:m.Len], err)
		}
		if d := time.Since(t0); d >= timeout {
			t.Errorf("get of a held stripe waited %v", d)
		}
	}
	s.beginWriting(stripe)
	finishWithin(t, 10*time.Second, "get of a stripe being published", func() {
		err, wall, cpu := busyCall(t, func() error { _, err := s.Get(crashRepairer, key, buf); return err })
		wantBusy(t, err, wall, cpu, timeout, crashVictim, "stripe")
	})
	s.unlock(s.stripeOf(hashKey(key)))

	cls := s.classForKey(itemTotal(len(key), 50), hashKey(key))
	s.lock(s.classLock(cls), stopped)
	finishWithin(t, 10*time.Second, "set that needs a held class lock", func() {
		err, wall, cpu := busyCall(t, func() error {
			_, err := s.Set(crashRepairer, key, bytes.Repeat([]byte("n"), 50), 0, 0)
			return err
		})
		wantBusy(t, err, wall, cpu, timeout, crashVictim, "class")
	})
	if n := s.LocksHeldBy(crashRepairer); n != 0 {
		t.Errorf("the busy Set left %d locks held", n)
	}
	s.unlock(s.classLock(cls))
	m, err := s.Get(crashRepairer, key, buf)
	if err != nil || !bytes.Equal(buf[:m.Len], val) {
		t.Errorf("after the busy Set: %q, %v; want the old value", buf[:m.Len], err)
	}
	if n := s.LocksHeld(); n != 0 {
		t.Errorf("%d locks held at the end", n)
	}
	mustCheck(t, s)
}

// TestCheckNamesLiveHolder: Check on a store whose lock a live client keeps returns a
// BusyError saying who holds what, and leaves no lock of its own behind. Before the fix it
// waited for ever (plibctl check hung).
func TestCheckNamesLiveHolder(t *testing.T) {
	s, err := Format(alignedRegion(4<<20), crashSmall, Options{LockTimeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	s.lock(s.g.stripeOff+5*stripeSize, holder(crashVictim))
	finishWithin(t, 10*time.Second, "Check", func() {
		err = s.Check()
	})
	var be *BusyError
	if !errors.As(err, &be) || be.Holder != crashVictim || be.Lock != "stripe" {
		t.Fatalf("Check: %v; want a BusyError naming slot %d's stripe", err, crashVictim)
	}
	if n := s.LocksHeld(); n != 1 {
		t.Errorf("%d locks held after the busy Check, want only the holder's 1", n)
	}
}

const stopEnvPath = "KV_STOP_REGION"

// TestStoppedProcessHolder: a child process takes a stripe lock and stops itself
// (SIGSTOP), as a client stopped in the middle of a Set. The parent's Get of a key in that
// stripe does not wait for it (reads take no lock); its Set gives up after LockTimeout
// with a BusyError, sleeping on the lock word meanwhile; a second Set, started while the
// child is stopped, finishes once the child is continued (SIGCONT) and unlocks, woken
// across processes.
func TestStoppedProcessHolder(t *testing.T) {
	if path := os.Getenv(stopEnvPath); path != "" {
		stopChild(t, path)
		return
	}
	const size, timeout = 4 << 20, 300 * time.Millisecond
	path := filepath.Join(shmTempDir(t), "region")
	s, err := Format(mapFile(t, path, size, true), crashSmall, Options{LockTimeout: timeout})
	if err != nil {
		t.Fatal(err)
	}
	key := []byte("stopkey")
	var cmd *exec.Cmd
	var out *strings.Builder
	for try := 1; ; try++ {
		cmd, out = startStopChild(t, path)
		if h := s.m.a32(s.stripeOf(hashKey(key))).Load() & holderMask; h == holder(crashVictim) {
			break
		} else if try == 5 {
			t.Fatalf("stopped child holds %d on the key's stripe, want %d", h, holder(crashVictim))
		} else {
			// Seen about once in twenty runs on the test VM: the child reports the lock
			// word it stored as 1 and stops, yet this process (and a read of the file) sees
			// 0. Not understood; plib's multi-process tests see every store. Try anew.
			t.Logf("try %d: the stopped child's lock is not visible here (%d); starting another", try, h)
			cmd.Process.Kill()
			cmd.Wait()
		}
	}
	defer cmd.Process.Kill()
	buf := make([]byte, 64)
	if !raceEnabled { // under the race detector every read takes the lock (race_on.go)
		t0 := time.Now()
		if _, err := s.Get(crashRepairer, key, buf); !errors.Is(err, ErrNotFound) {
			t.Errorf("get while the holder is stopped: %v, want not found", err)
		}
		if d := time.Since(t0); d >= timeout {
			t.Errorf("get waited %v for the stopped holder", d)
		}
	}
	set := func() error { _, err := s.Set(crashRepairer, key, []byte("v"), 0, 0); return err }
	err, wall, cpu := busyCall(t, set)
	wantBusy(t, err, wall, cpu, timeout, crashVictim, "stripe")

	s.lockTimeout = 20 * time.Second
	done := make(chan error, 1)
	go func() { done <- set() }()
	time.Sleep(100 * time.Millisecond) // the Get is asleep on the lock word by now
	if err := cmd.Process.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("set after SIGCONT: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Error("the waiter was not woken when the continued child unlocked")
		<-done // bounded by the lock timeout; the region must stay mapped until then
		return
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("child: %v\n%s", err, out.String())
	}
	mustCheck(t, s)
}

// startStopChild starts a child that takes the stripe of "stopkey" and stops itself, and
// waits until it has stopped.
func startStopChild(t *testing.T, path string) (*exec.Cmd, *strings.Builder) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestStoppedProcessHolder$")
	cmd.Env = append(os.Environ(), stopEnvPath+"="+path)
	out := &strings.Builder{}
	cmd.Stderr = out
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if line, _ := bufio.NewReader(stdout).ReadString('\n'); line != "locked\n" {
		cmd.Process.Kill()
		t.Fatalf("child said %q; stderr: %s", line, out.String())
	}
	proctest.WaitState(t, cmd.Process.Pid, "T")
	return cmd, out
}

// stopChild takes the stripe of "stopkey" as crashVictim, stops itself, and unlocks when
// continued.
func stopChild(t *testing.T, path string) {
	s, err := Open(mapFile(t, path, 4<<20, false), Options{})
	if err != nil {
		t.Fatal(err)
	}
	stripe := s.stripeOf(hashKey([]byte("stopkey")))
	s.lock(stripe, holder(crashVictim))
	fmt.Println("locked")
	syscall.Kill(os.Getpid(), syscall.SIGSTOP)
	s.unlock(stripe)
}
