package plib

import (
	"errors"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/plibcached/plibcached/internal/proctest"
	"github.com/plibcached/plibcached/kv"
)

func init() { children["setloop"] = childSetLoop }

// childSetLoop stores values of many sizes as fast as it can until killed, so that a
// SIGSTOP often finds it inside a lock.
func childSetLoop(path, _ string) int {
	c, err := Open(path, Options{Protection: ModeNoPKU})
	if err != nil {
		fmt.Println(err)
		return 1
	}
	s, err := c.Session()
	if err != nil {
		fmt.Println(err)
		return 1
	}
	fmt.Println("READY")
	val := make([]byte, 4000)
	for i := 0; ; i++ {
		s.Set(fmt.Appendf(nil, "loop%d", i%2000), val[:i%4000], 0, 0)
	}
}

// TestStoppedProcessGivesBusy: a process SIGSTOPped while it holds a lock makes the calls
// that need the lock return ErrBusy after Options.LockTimeout, as a *kv.BusyError naming
// the stopped process's pid, instead of waiting while it stays stopped; once it is
// continued everything works again. Check, as plibctl check runs it, says who holds what.
func TestStoppedProcessGivesBusy(t *testing.T) {
	opts := testOptions(ModeNoPKU)
	opts.LockTimeout = 50 * time.Millisecond
	path := t.TempDir() + "/seg"
	c, err := Open(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	cmd := startChild(t, "setloop", path, "")
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	buf := make([]byte, 64)
	if n, _ := out.Read(buf); !strings.Contains(string(buf[:n]), "READY") {
		t.Fatalf("child said %q", buf[:n])
	}
	pid := cmd.Process.Pid
	for try := 0; try < 500; try++ {
		cmd.Process.Signal(syscall.SIGSTOP)
		proctest.WaitState(t, pid, "T")
		err := c.Check()
		if err == nil {
			cmd.Process.Signal(syscall.SIGCONT)
			time.Sleep(time.Duration(try%7) * time.Millisecond)
			continue
		}
		var be *kv.BusyError
		if !errors.Is(err, ErrBusy) || !errors.As(err, &be) {
			t.Fatalf("Check with a stopped client: %v, want ErrBusy", err)
		}
		if be.Pid != pid {
			t.Errorf("BusyError names pid %d, the stopped process is %d: %v", be.Pid, pid, err)
		}
		if !strings.Contains(err.Error(), fmt.Sprintf("pid %d", pid)) {
			t.Errorf("error text does not name the pid: %v", err)
		}
		cmd.Process.Signal(syscall.SIGCONT)
		cmd.Process.Kill()
		cmd.Wait()
		if err := c.Check(); err != nil {
			t.Fatalf("Check after the holder died: %v", err)
		}
		return
	}
	t.Fatal("in 500 stops the child never held a lock: the test cannot show anything")
}
