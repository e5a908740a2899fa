package plib

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func init() {
	children["counter"] = childCounter
	children["hold"] = childHold
}

const (
	mpCounters = 4
	mpIncrs    = 20000
)

// childCounter attaches to the segment, checks the value the parent stored, stores one of
// its own, and increments the shared counters; it prints its acknowledged increments.
func childCounter(path, arg string) int {
	c, err := Open(path, Options{Protection: ModeNoPKU})
	if err != nil {
		fmt.Println("open:", err)
		return 3
	}
	defer c.Close()
	if it, err := c.Get("from-parent"); err != nil || string(it.Value) != "hello" {
		fmt.Println("parent's value:", it, err)
		return 3
	}
	if err := c.Set(&Item{Key: "from-child-" + arg, Value: []byte("child " + arg)}); err != nil {
		fmt.Println("set:", err)
		return 3
	}
	var acked [mpCounters]int
	for i := 0; i < mpIncrs; i++ {
		k := i % mpCounters
		if _, err := c.Increment(fmt.Sprint("counter", k), 1); err != nil {
			fmt.Println("incr:", err)
			return 3
		}
		acked[k]++
	}
	fmt.Println("ACKED", strings.Trim(fmt.Sprint(acked), "[]"))
	return 0
}

// TestMultiProcess: four processes share one segment with the parent. A value set in one
// process is read in another (both ways), and counters incremented concurrently end at
// exactly the acknowledged totals.
func TestMultiProcess(t *testing.T) {
	c, path := openTest(t, ModeNoPKU)
	c.Set(&Item{Key: "from-parent", Value: []byte("hello")})
	for k := 0; k < mpCounters; k++ {
		c.Set(&Item{Key: fmt.Sprint("counter", k), Value: []byte("0")})
	}
	const procs = 4
	cmds := make([]*strings.Builder, procs)
	started := make([]func() error, procs)
	for p := range procs {
		cmd := startChild(t, "counter", path, strconv.Itoa(p))
		cmds[p] = &strings.Builder{}
		cmd.Stdout, cmd.Stderr = cmds[p], cmds[p]
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		started[p] = cmd.Wait
	}
	var want [mpCounters]uint64
	for p := range procs {
		if err := started[p](); err != nil {
			t.Fatalf("child %d: %v\n%s", p, err, cmds[p])
		}
		for _, line := range strings.Split(cmds[p].String(), "\n") {
			if f := strings.Fields(line); len(f) == mpCounters+1 && f[0] == "ACKED" {
				for k := range want {
					n, _ := strconv.ParseUint(f[k+1], 10, 64)
					want[k] += n
				}
			}
		}
		if it, err := c.Get(fmt.Sprint("from-child-", p)); err != nil || string(it.Value) != fmt.Sprint("child ", p) {
			t.Errorf("child %d's value: %v %v", p, it, err)
		}
	}
	for k := range want {
		it, err := c.Get(fmt.Sprint("counter", k))
		if err != nil || strings.TrimSpace(string(it.Value)) != fmt.Sprint(want[k]) {
			t.Errorf("counter%d = %v (%v), acknowledged %d", k, it, err, want[k])
		}
	}
	if want[0] != procs*mpIncrs/mpCounters {
		t.Errorf("children acknowledged %d increments of counter0, want %d", want[0], procs*mpIncrs/mpCounters)
	}
	if err := c.Check(); err != nil {
		t.Fatal(err)
	}
}

// TestPersistence: the data outlives every process that had the segment open.
func TestPersistence(t *testing.T) {
	path := filepath.Join(t.TempDir(), "seg")
	c, err := Open(path, testOptions(ModeNoPKU))
	if err != nil {
		t.Fatal(err)
	}
	c.Set(&Item{Key: "kept", Value: []byte("across opens"), Flags: 9})
	c.Close()
	c, err = Open(path, Options{Protection: ModeNoPKU})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if it, err := c.Get("kept"); err != nil || string(it.Value) != "across opens" || it.Flags != 9 {
		t.Fatalf("after reopening: %v %v", it, err)
	}
}

// childHold claims every free slot, prints READY and sleeps until killed.
func childHold(path, arg string) int {
	c, err := Open(path, Options{Protection: ModeNoPKU})
	if err != nil {
		fmt.Println("open:", err)
		return 3
	}
	for {
		if _, err := c.Session(); err != nil {
			break
		}
	}
	fmt.Println("READY")
	time.Sleep(time.Hour)
	return 0
}

// TestDeadProcessSlotsReclaimed: a process that took every slot is SIGKILLed; the slots
// are reclaimed by the next process that needs them.
func TestDeadProcessSlotsReclaimed(t *testing.T) {
	c, path := openTest(t, ModeNoPKU)
	cmd := startChild(t, "hold", path, "")
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64)
	n, _ := out.Read(buf)
	if !strings.Contains(string(buf[:n]), "READY") {
		t.Fatalf("child said %q", buf[:n])
	}
	if _, err := c.Session(); err != ErrNoSlots {
		t.Fatalf("with every slot held by a live process: %v, want ErrNoSlots", err)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	s, err := c.Session()
	if err != nil {
		t.Fatalf("after the holder died: %v", err)
	}
	if err := s.Set([]byte("k"), []byte("v"), 0, 0); err != nil {
		t.Fatal(err)
	}
}

// TestOpenErrors: each way a segment can be wrong gets its own error.
func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good")
	c, err := Open(good, testOptions(ModeNoPKU))
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	corrupt := func(name string, f func(b []byte)) string {
		b, _ := os.ReadFile(good)
		f(b)
		p := filepath.Join(dir, name)
		os.WriteFile(p, b, 0o600)
		return p
	}
	cases := []struct {
		name string
		path string
		opts Options
		want error
	}{
		{"version", corrupt("version", func(b []byte) { b[sVersion] = 99 }), Options{}, ErrVersion},
		{"header checksum", corrupt("checksum", func(b []byte) { b[sMaxSlots] ^= 1 }), Options{}, ErrCorrupt},
		{"not a segment", corrupt("foreign", func(b []byte) { copy(b, "\x7fELF") }), Options{}, ErrNotSegment},
		{"size option", good, Options{Size: 64 << 20}, ErrSizeMismatch},
		{"slot option", good, Options{MaxClients: 3}, ErrSizeMismatch},
		{"store damaged", corrupt("store", func(b []byte) { b[binary.LittleEndian.Uint64(b[sKVOff:])] = 'X' }), Options{}, ErrCorrupt},
		{"bad option", filepath.Join(dir, "new"), Options{MaxClients: -1}, ErrOptions},
		{"too small", filepath.Join(dir, "small"), Options{Size: 1 << 20, MaxItemSize: 1 << 20}, ErrOptions},
	}
	for _, tc := range cases {
		tc.opts.Protection = ModeNoPKU
		c, err := Open(tc.path, tc.opts)
		if err == nil {
			c.Close()
		}
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	if os.Geteuid() == 0 {
		other := corrupt("other-user", func([]byte) {})
		os.Chown(other, 65534, 65534)
		if _, err := Open(other, Options{Protection: ModeNoPKU}); !errors.Is(err, ErrNotOwner) {
			t.Errorf("another user's file: %v, want ErrNotOwner", err)
		}
	}
	if _, err := Open(filepath.Join(dir, "pku"), Options{Protection: ModePKU}); PKUSupported() != nil && !errors.Is(err, ErrNoPKU) {
		t.Errorf("ModePKU without PKU: %v, want ErrNoPKU", err)
	}
}
