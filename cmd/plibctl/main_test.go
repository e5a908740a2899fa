package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/plibcached/plibcached/internal/proctest"
	"github.com/plibcached/plibcached/plib"
)

const childEnv = "PLIBCTL_TEST_CHILD"

// TestMain turns the test binary into a client process when childEnv names a segment: it
// stores values in a loop, saying "ready" after the first, until it is killed.
func TestMain(m *testing.M) {
	if path := os.Getenv(childEnv); path != "" {
		os.Exit(child(path))
	}
	os.Exit(m.Run())
}

func child(path string) int {
	c, err := plib.Open(path, plib.Options{Protection: plib.ModeNoPKU})
	if err != nil {
		fmt.Println(err)
		return 1
	}
	s, err := c.Session()
	if err != nil {
		fmt.Println(err)
		return 1
	}
	for i := 0; ; i++ {
		if err := s.Set(fmt.Appendf(nil, "c%d", i%500), bytes.Repeat([]byte("v"), 10+i%3000), 0, 0); err != nil {
			fmt.Println(err)
			return 1
		}
		if i == 0 {
			fmt.Println("ready")
		}
	}
}

// startChild starts a client process storing into the segment at path and waits until it
// says it is ready.
func startChild(t *testing.T, path string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+path)
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if line, _ := bufio.NewReader(stdout).ReadString('\n'); line != "ready\n" {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("child said %q", line)
	}
	return cmd
}

func newSegment(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "seg")
	c, err := plib.Open(path, plib.Options{Protection: plib.ModeNoPKU, Size: 8 << 20, MaxItemSize: 16 << 10, MaxClients: 4})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 100; i++ {
		if err := c.Set(&plib.Item{Key: fmt.Sprint("k", i), Value: []byte("value")}); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

func ctl(args ...string) (int, string) {
	var out bytes.Buffer
	code := run(args, &out, &out)
	return code, out.String()
}

func TestCheckCleanSegment(t *testing.T) {
	path := newSegment(t)
	code, out := ctl("check", path)
	if code != 0 || !strings.Contains(out, "check: ok") || !strings.Contains(out, "0 live, 0 dead") {
		t.Fatalf("check = %d:\n%s", code, out)
	}
	if code, out = ctl("stats", path); code != 0 || !strings.Contains(out, "curr_items 100\n") {
		t.Fatalf("stats = %d:\n%s", code, out)
	}
}

func TestBadSegments(t *testing.T) {
	dir := t.TempDir()
	garbage := filepath.Join(dir, "garbage")
	os.WriteFile(garbage, bytes.Repeat([]byte("x"), 1<<16), 0o600)
	empty := filepath.Join(dir, "empty")
	os.WriteFile(empty, nil, 0o600)
	for _, c := range []struct{ args []string }{
		{[]string{"check", filepath.Join(dir, "missing")}},
		{[]string{"check", garbage}},
		{[]string{"repair", empty}},
		{[]string{"check"}},
		{[]string{"frobnicate", garbage}},
	} {
		if code, out := ctl(c.args...); code != 2 {
			t.Errorf("%v = %d, want 2:\n%s", c.args, code, out)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "missing")); !os.IsNotExist(err) {
		t.Fatal("plibctl created a segment")
	}
}

// TestRepairKilledClient kills a client in the middle of its stores, then checks and
// repairs the segment it left.
func TestRepairKilledClient(t *testing.T) {
	path := newSegment(t)
	cmd := startChild(t, path)
	if code, out := ctl("check", path); code != 2 || !strings.Contains(out, "mapped by running process") {
		t.Errorf("check of a segment in use = %d:\n%s", code, out)
	}
	time.Sleep(time.Duration(1+time.Now().UnixNano()%20) * time.Millisecond)
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()

	code, out := ctl("check", path)
	if code != 0 || !strings.Contains(out, "0 live, 1 dead") || !strings.Contains(out, "check: ok") {
		t.Fatalf("check after the kill = %d:\n%s", code, out)
	}
	code, out = ctl("repair", path)
	if code != 0 || !strings.Contains(out, "1 dead slot(s), 1 repaired and freed, 0 busy") || !strings.Contains(out, "0 live, 0 dead") ||
		!strings.Contains(out, "locks held: 0") {
		t.Fatalf("repair = %d:\n%s", code, out)
	}
	t.Log(out)
	c, err := plib.Open(path, plib.Options{Protection: plib.ModeNoPKU})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	for i := 0; i < 100; i++ {
		if it, err := c.Get(fmt.Sprint("k", i)); err != nil && err != plib.ErrCacheMiss || err == nil && string(it.Value) != "value" {
			t.Fatalf("k%d after repair: %v", i, err)
		}
	}
}

// TestCheckNamesStoppedHolder: check on a segment whose lock a stopped process keeps
// fails after -lock-timeout with the stopped process's pid and the lock, instead of
// hanging as it did before no wait was unbounded.
func TestCheckNamesStoppedHolder(t *testing.T) {
	path := newSegment(t)
	cmd := startChild(t, path)
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	pid := cmd.Process.Pid
	for try := 0; try < 500; try++ {
		cmd.Process.Signal(syscall.SIGSTOP)
		proctest.WaitState(t, pid, "T")
		code, out := ctl("-online", "-lock-timeout", "50ms", "check", path)
		if code == 0 {
			cmd.Process.Signal(syscall.SIGCONT)
			time.Sleep(time.Duration(try%5) * time.Millisecond)
			continue
		}
		if code != 1 || !strings.Contains(out, fmt.Sprintf("(pid %d)", pid)) || !strings.Contains(out, "lock held by client slot") {
			t.Fatalf("check with a stopped lock holder = %d, want 1 and the holder named:\n%s", code, out)
		}
		t.Log(out)
		return
	}
	t.Fatal("in 500 stops the child never held a lock: the test shows nothing")
}
