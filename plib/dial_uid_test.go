//go:build linux

package plib

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/plibcached/plibcached/kv"
	"github.com/plibcached/plibcached/plib/handoff"
)

func init() {
	children["dial-refused"] = childDialRefused
	children["dial-rw"] = childDialRW
	children["dial-hold"] = childDialHold
}

// childDialRefused expects plibd to refuse it, then tries the ways around plibd: the
// server's descriptors and mappings under /proc (arg is "PID FD"). It prints what each
// attempt got and exits 0 only if all failed.
func childDialRefused(sock, arg string) int {
	ok := true
	_, err := Dial(sock, Options{Protection: ModeNoPKU})
	var re *handoff.RefusedError
	if !errors.Is(err, ErrRefused) || !errors.As(err, &re) || !strings.Contains(re.Reason, fmt.Sprint("uid ", os.Getuid())) {
		ok = false
	}
	fmt.Printf("uid %d: Dial: %v\n", os.Getuid(), err)
	pid, fd, _ := strings.Cut(arg, " ")
	try := func(what string, err error) {
		fmt.Printf("%s: %v\n", what, err)
		ok = ok && errors.Is(err, os.ErrPermission)
	}
	f, err := os.OpenFile("/proc/"+pid+"/fd/"+fd, os.O_RDWR, 0)
	if err == nil {
		f.Close()
	}
	try("open /proc/"+pid+"/fd/"+fd, err)
	f, err = os.OpenFile("/proc/"+pid+"/fd/"+fd, os.O_RDONLY, 0)
	if err == nil {
		f.Close()
	}
	try("open read-only", err)
	_, err = os.ReadDir("/proc/" + pid + "/fd")
	try("list /proc/"+pid+"/fd", err)
	_, err = os.ReadDir("/proc/" + pid + "/map_files")
	try("list /proc/"+pid+"/map_files", err)
	f, err = os.Open("/proc/" + pid + "/mem")
	if err == nil {
		f.Close()
	}
	try("open /proc/"+pid+"/mem", err)
	if !ok {
		return 3
	}
	return 0
}

// childDialRW dials, reads the parent's value and stores its own under "from-uid-UID".
func childDialRW(sock, arg string) int {
	c, err := Dial(sock, Options{Protection: ModeNoPKU})
	if err != nil {
		fmt.Println("dial:", err)
		return 3
	}
	defer c.Close()
	if it, err := c.Get("from-parent"); err != nil || string(it.Value) != arg {
		fmt.Println("parent's value:", it, err)
		return 3
	}
	key := fmt.Sprint("from-uid-", os.Getuid())
	if err := c.Set(&Item{Key: key, Value: []byte(fmt.Sprint("uid ", os.Getuid(), " gid ", os.Getgid()))}); err != nil {
		fmt.Println("set:", err)
		return 3
	}
	return 0
}

// childDialHold dials, claims a slot, prints "READY slot" and sleeps until killed.
func childDialHold(sock, arg string) int {
	c, err := Dial(sock, Options{Protection: ModeNoPKU})
	if err != nil {
		fmt.Println("dial:", err)
		return 3
	}
	s, err := c.Session()
	if err != nil {
		fmt.Println("session:", err)
		return 3
	}
	fmt.Println("READY", s.Slot())
	time.Sleep(time.Hour)
	return 0
}

// TestDialPolicy: plibd (the test, root) serves a memfd segment to uid 1001 and to
// group 4242. A process of uid 65534 is refused with ErrRefused and cannot reach the
// segment through /proc either; the segment has no filesystem path to open. Processes
// allowed by uid, by effective gid and by a supplementary group attach and exchange
// values with the server's own Client, both ways.
func TestDialPolicy(t *testing.T) {
	bin, dir := crossUID(t)
	pol := handoff.Policy{UIDs: []uint32{1001}, GIDs: []uint32{4242}}
	c, f, sock := serveMemfd(t, dir, handoff.Config{Policy: pol})
	checkNoSHM(t, f)

	out, err := childAs(bin, "dial-refused", sock, fmt.Sprint(os.Getpid(), " ", f.Fd()), 65534, 65534).CombinedOutput()
	t.Logf("refused child:\n%s", out)
	if err != nil {
		t.Fatalf("refused child: %v", err)
	}

	for _, who := range []struct {
		uid, gid uint32
		groups   []uint32
	}{
		{1001, 1001, nil},               // by uid
		{1002, 4242, nil},               // by effective gid
		{1003, 1003, []uint32{7, 4242}}, // by supplementary group
	} {
		want := fmt.Sprint("hello ", who.uid)
		c.Set(&Item{Key: "from-parent", Value: []byte(want)})
		out, err := childAs(bin, "dial-rw", sock, want, who.uid, who.gid, who.groups...).CombinedOutput()
		if err != nil {
			t.Fatalf("uid %d gid %d groups %v: %v\n%s", who.uid, who.gid, who.groups, err, out)
		}
		it, err := c.Get(fmt.Sprint("from-uid-", who.uid))
		if err != nil || string(it.Value) != fmt.Sprint("uid ", who.uid, " gid ", who.gid) {
			t.Fatalf("uid %d's value: %v %v", who.uid, it, err)
		}
	}
	if err := c.Check(); err != nil {
		t.Fatal(err)
	}
}

// TestDialWatchExit: plibd watches a grantee; when it is SIGKILLed holding a slot, OnExit
// runs promptly and calls Recover, as plibd does, and the slot is free afterwards.
func TestDialWatchExit(t *testing.T) {
	bin, dir := crossUID(t)
	type exit struct {
		peer handoff.Peer
		at   time.Time
		rep  RecoveryReport
		err  error
	}
	exits := make(chan exit, 1)
	var c *Client
	ready := make(chan struct{})
	c, _, sock := serveMemfd(t, dir, handoff.Config{Policy: handoff.Policy{UIDs: []uint32{1001}}, OnExit: func(p handoff.Peer) {
		<-ready
		rep, err := c.Recover()
		exits <- exit{p, time.Now(), rep, err}
	}})
	close(ready)
	cmd := childAs(bin, "dial-hold", sock, "", 1001, 1001)
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	var slot int
	if _, err2 := fmt.Sscan(strings.TrimPrefix(line, "READY "), &slot); err != nil || err2 != nil || !strings.HasPrefix(line, "READY ") {
		t.Fatalf("child: %q %v %v", line, err, err2)
	}
	owner := func() uint64 { return c.slotWord64(kv.Slot(slot), 0).Load() }
	if pid := owner() >> 32; pid != uint64(cmd.Process.Pid) {
		t.Fatalf("slot %d owned by pid %d, want the child %d", slot, pid, cmd.Process.Pid)
	}
	killed := time.Now()
	cmd.Process.Kill()
	var e exit
	select {
	case e = <-exits:
	case <-time.After(5 * time.Second):
		t.Fatal("OnExit did not run within 5s of SIGKILL")
	}
	if e.peer.PID != cmd.Process.Pid || e.peer.UID != 1001 || e.err != nil {
		t.Fatalf("OnExit for %v (Recover: %v), want pid %d uid 1001", e.peer, e.err, cmd.Process.Pid)
	}
	t.Logf("OnExit ran %v after SIGKILL; its Recover: %+v", e.at.Sub(killed), e.rep)
	// OnExit runs as soon as the process exits, before its parent (here, this test) reaps
	// it, and while it is a zombie ownerAlive still counts it alive. Reap it, as its
	// parent would, and recover again if the first Recover could not free the slot.
	cmd.Wait()
	rep, err := c.Recover()
	if err != nil {
		t.Fatal(err)
	}
	if e.rep.Freed == 0 {
		t.Logf("the slot was freed only after the child was reaped: %+v", rep)
	}
	if e.rep.Freed+rep.Freed < 1 || owner() != slotFree {
		t.Fatalf("slot %d owner word %#x after Recover (%+v, %+v)", slot, owner(), e.rep, rep)
	}
	if err := c.Check(); err != nil {
		t.Fatal(err)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
