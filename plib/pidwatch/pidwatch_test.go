//go:build linux

package pidwatch

import (
	"errors"
	"os"
	"os/exec"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// A child is this test binary re-executed with sleepEnv set: it sleeps until killed.
const sleepEnv = "PIDWATCH_TEST_SLEEP"

func TestMain(m *testing.M) {
	if os.Getenv(sleepEnv) != "" {
		time.Sleep(time.Hour)
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func sleeper(t *testing.T) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), sleepEnv+"=1")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd
}

// TestWatchKill: the function runs promptly after the process is SIGKILLed, and not
// before; the pidfd is gone afterwards.
func TestWatchKill(t *testing.T) {
	var w Watcher
	defer w.Close()
	cmd := sleeper(t)
	fired := make(chan time.Time, 1)
	if err := w.WatchPID(cmd.Process.Pid, func() { fired <- time.Now() }); err != nil {
		t.Fatal(err)
	}
	select {
	case <-fired:
		t.Fatal("fired while the process runs")
	case <-time.After(100 * time.Millisecond):
	}
	killed := time.Now()
	cmd.Process.Kill()
	select {
	case at := <-fired:
		t.Logf("fired %v after SIGKILL", at.Sub(killed))
	case <-time.After(5 * time.Second):
		t.Fatal("not fired 5s after SIGKILL")
	}
	for deadline := time.Now().Add(time.Second); w.Len() != 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("still watching %d", w.Len())
		}
	}
}

// TestWatchExited: a process that has exited already (a zombie, then reaped with the
// pidfd held) fires at once.
func TestWatchExited(t *testing.T) {
	var w Watcher
	defer w.Close()
	cmd := sleeper(t)
	fd, err := unix.PidfdOpen(cmd.Process.Pid, 0)
	if err != nil {
		t.Fatal(err)
	}
	cmd.Process.Kill()
	cmd.Wait()
	fired := make(chan struct{})
	if err := w.WatchPidfd(fd, func() { close(fired) }); err != nil {
		t.Fatal(err)
	}
	select {
	case <-fired:
	case <-time.After(5 * time.Second):
		t.Fatal("an exited process did not fire")
	}
}

// TestWatchNoProcess: a pid with no process is an error, not a watch.
func TestWatchNoProcess(t *testing.T) {
	var w Watcher
	defer w.Close()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	if err := w.WatchPID(cmd.Process.Pid, func() {}); !errors.Is(err, unix.ESRCH) {
		t.Fatalf("watch of reaped pid %d: %v, want ESRCH", cmd.Process.Pid, err)
	}
	if err := w.WatchPID(0, func() {}); !errors.Is(err, unix.ESRCH) {
		t.Fatalf("watch of pid 0: %v", err)
	}
}

// TestClose: Close ends every watch without running its function, closes the pidfds,
// and refuses later watches.
func TestClose(t *testing.T) {
	var w Watcher
	cmds := []*exec.Cmd{sleeper(t), sleeper(t)}
	ran := make(chan struct{}, 2)
	for _, c := range cmds {
		if err := w.WatchPID(c.Process.Pid, func() { ran <- struct{}{} }); err != nil {
			t.Fatal(err)
		}
	}
	if w.Len() != 2 {
		t.Fatalf("Len %d", w.Len())
	}
	done := make(chan error)
	go func() { done <- w.Close() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close hangs")
	}
	for _, c := range cmds {
		c.Process.Kill()
		c.Wait()
	}
	select {
	case <-ran:
		t.Fatal("a function ran after Close")
	case <-time.After(100 * time.Millisecond):
	}
	if err := w.WatchPID(os.Getpid(), func() {}); err != ErrClosed {
		t.Fatalf("watch after Close: %v", err)
	}
	if w.Len() != 0 || w.Close() != ErrClosed {
		t.Fatal("closed twice, or still watching")
	}
}
