package plibd

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/plibcached/plibcached/plib"
)

// TestMain runs the daemon as a child process when PLIBD_CHILD names its directory
// (runChild), so that the serving tests measure its threads and memory alone.
func TestMain(m *testing.M) {
	if dir := os.Getenv("PLIBD_CHILD"); dir != "" {
		runChild(dir)
		return
	}
	os.Exit(m.Run())
}

// runChild serves a fresh segment in dir on a loopback port with the daemon's defaults
// (no connection limit), prints "ADDR GOMAXPROCS" once ready, and stops when its standard
// input closes (the test ended).
func runChild(dir string) {
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		io.Copy(io.Discard, os.Stdin)
		cancel()
	}()
	cfg := Config{
		Segment: filepath.Join(dir, "seg"),
		Options: plib.Options{Size: 64 << 20, MaxClients: 16, Protection: plib.ModeNoPKU},
		Listen:  "127.0.0.1:0",
		Ready: func(d *Daemon) {
			fmt.Printf("%s %d\n", d.Addrs()[0], runtime.GOMAXPROCS(0))
		},
	}
	if err := Run(ctx, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		os.Exit(1)
	}
}

// child is a daemon running in a process of its own.
type child struct {
	addr  string
	procs int
	pid   int
}

// startChild starts the daemon in a child process and waits until it listens.
func startChild(t *testing.T) *child {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "PLIBD_CHILD="+t.TempDir())
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stdin.Close()
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			cmd.Process.Kill()
			<-done
			t.Error("the daemon did not stop when asked")
		}
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("daemon did not start: %v", err)
	}
	var c child
	if _, err := fmt.Sscan(line, &c.addr, &c.procs); err != nil {
		t.Fatalf("daemon's first line %q: %v", line, err)
	}
	c.pid = cmd.Process.Pid
	return &c
}

// status reads a numeric field of /proc/PID/status (kB for memory figures).
func (c *child) status(t *testing.T, field string) int {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", c.pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			n, err := strconv.Atoi(strings.Fields(rest)[0])
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatalf("no %s in /proc/%d/status", field, c.pid)
	return 0
}

// threadBound is the most threads the daemon may run: about one event loop per core,
// plus the runtime's own.
func (c *child) threadBound() int { return 2*c.procs + 16 }

// raiseNoFile raises the descriptor limit to at least n (the child inherits it), or
// skips the test saying why.
func raiseNoFile(t *testing.T, n uint64) {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Skipf("getrlimit: %v", err)
	}
	if lim.Cur >= n {
		return
	}
	if lim.Max < n {
		lim.Max = n // allowed as root
	}
	lim.Cur = n
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Skipf("cannot raise RLIMIT_NOFILE to %d: %v", n, err)
	}
}

// roundTrip sends req on c and reads one reply line.
func roundTrip(c net.Conn, r *bufio.Reader, req string) (string, error) {
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Write([]byte(req)); err != nil {
		return "", err
	}
	return r.ReadString('\n')
}

// connRSSBound is the most anonymous memory an idle connection may cost the daemon;
// closedRSSBound how far above its start its anonymous memory may stay once they closed.
const (
	connRSSBound   = 8    // kB
	closedRSSBound = 2048 // kB
)

// TestThousandsOfConnections holds 2,000 connections to the daemon, finds every one
// answering version while its thread count stays within about one thread per core (plus
// the runtime's) and its memory within connRSSBound per connection, and finds the
// threads still within that bound once they all closed.
func TestThousandsOfConnections(t *testing.T) {
	const conns = 2000
	raiseNoFile(t, 2*conns+256)
	d := startChild(t)
	warm, err := net.Dial("tcp", d.addr) // the event loops start with the first connection
	if err != nil {
		t.Fatal(err)
	}
	if line, err := roundTrip(warm, bufio.NewReader(warm), "version\r\n"); err != nil {
		t.Fatalf("version: %q, %v", line, err)
	}
	warm.Close()
	base := d.status(t, "RssAnon")
	conn := make([]net.Conn, 0, conns)
	defer func() {
		for _, c := range conn {
			c.Close()
		}
	}()
	for range conns {
		c, err := net.Dial("tcp", d.addr)
		if err != nil {
			t.Fatalf("connection %d: %v", len(conn), err)
		}
		conn = append(conn, c)
	}
	for i, c := range conn { // all at once: the replies come back in any order
		c.SetDeadline(time.Now().Add(20 * time.Second))
		if _, err := c.Write([]byte("version\r\n")); err != nil {
			t.Fatalf("connection %d: %v", i, err)
		}
	}
	for i, c := range conn {
		line, err := bufio.NewReader(c).ReadString('\n')
		if err != nil || line != "VERSION 1.6.18\r\n" {
			t.Fatalf("connection %d: version answered %q, %v", i, line, err)
		}
	}
	held, rss := d.status(t, "Threads"), d.status(t, "RssAnon")
	t.Logf("%d connections held: %d threads (bound %d), anonymous RSS %d kB (%d kB before)", conns, held, d.threadBound(), rss, base)
	if held > d.threadBound() {
		t.Errorf("%d threads serve %d connections; want at most %d", held, conns, d.threadBound())
	}
	if rss-base > conns*connRSSBound {
		t.Errorf("%d idle connections cost %d kB; want at most %d kB each", conns, rss-base, connRSSBound)
	}
	for _, c := range conn {
		c.Close()
	}
	conn = conn[:0]
	c, err := net.Dial("tcp", d.addr)
	if err != nil {
		t.Fatal(err)
	}
	conn = append(conn, c)
	r := bufio.NewReader(c)
	deadline := time.Now().Add(15 * time.Second)
	for { // until the daemon has seen them all close
		if _, err := roundTrip(c, r, "stats\r\n"); err != nil {
			t.Fatal(err)
		}
		curr := -1
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				t.Fatal(err)
			}
			if line == "END\r\n" {
				break
			}
			if v, ok := strings.CutPrefix(line, "STAT curr_connections "); ok {
				curr, _ = strconv.Atoi(strings.TrimSpace(v))
			}
		}
		if curr == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("curr_connections still %d after every connection but one closed", curr)
		}
		time.Sleep(50 * time.Millisecond)
	}
	after := d.status(t, "Threads")
	if after > d.threadBound() {
		t.Errorf("%d threads remain after the connections closed; want at most %d", after, d.threadBound())
	}
	for { // the daemon gives their memory back (protocol/release.go)
		back := d.status(t, "RssAnon")
		if back-base <= closedRSSBound {
			t.Logf("after they closed: %d threads, anonymous RSS %d kB", after, back)
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("anonymous RSS %d kB after the connections closed, %d kB before they opened; want at most %d kB more",
				back, base, closedRSSBound)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// anonRSSBound is the most the daemon's anonymous memory (heap, stacks, buffers: the
// segment is shared memory and not counted) may grow while two clients misbehave.
const anonRSSBound = 24 << 10 // kB

// TestMisbehavingClientsBounded sends a 10 MB line without a newline on one connection,
// a pipeline of 100,000 gets whose replies it never reads on another, and one get of
// 100,000 keys (400 MB of replies) it never reads on a third, and finds the daemon's
// anonymous RSS within anonRSSBound of where it started while a fourth connection goes
// on being served.
func TestMisbehavingClientsBounded(t *testing.T) {
	d := startChild(t)
	dial := func() (net.Conn, *bufio.Reader) {
		c, err := net.Dial("tcp", d.addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c, bufio.NewReader(c)
	}
	good, gr := dial()
	value := strings.Repeat("v", 4000)
	if line, err := roundTrip(good, gr, "set big 0 0 4000\r\n"+value+"\r\n"); err != nil || line != "STORED\r\n" {
		t.Fatalf("set: %q, %v", line, err)
	}
	base := d.status(t, "RssAnon")

	var wg sync.WaitGroup
	defer wg.Wait()
	long, _ := dial()
	pipe, _ := dial()
	multi, _ := dial()
	multi.Write([]byte("get" + strings.Repeat(" big", 100_000) + "\r\n")) // 400 MB of replies, never read
	wg.Add(2)
	go func() { // "get k k k ..." for 10 MB, never a newline
		defer wg.Done()
		long.SetWriteDeadline(time.Now().Add(20 * time.Second))
		chunk := []byte(strings.Repeat("k ", 32<<10))
		long.Write([]byte("get "))
		for sent := 0; sent < 10<<20; sent += len(chunk) {
			if _, err := long.Write(chunk); err != nil {
				return // closed by the daemon, or the deadline
			}
		}
	}()
	go func() { // 100,000 gets of a 4,000-byte value; the replies are never read
		defer wg.Done()
		pipe.SetWriteDeadline(time.Now().Add(20 * time.Second))
		batch := []byte(strings.Repeat("get big\r\n", 1000))
		for range 100 {
			if _, err := pipe.Write(batch); err != nil {
				return // the daemon stopped reading: the write deadline ends it
			}
		}
	}()

	peak := base
	deadline := time.Now().Add(5 * time.Second)
	for i := 0; time.Now().Before(deadline); i++ {
		line, err := roundTrip(good, gr, "version\r\n")
		if err != nil || line != "VERSION 1.6.18\r\n" {
			t.Fatalf("a well-behaved connection was not served beside the others: %q, %v", line, err)
		}
		peak = max(peak, d.status(t, "RssAnon"))
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("anonymous RSS %d kB before, %d kB at most while the clients misbehaved (bound +%d kB)", base, peak, anonRSSBound)
	if peak-base > anonRSSBound {
		t.Errorf("anonymous RSS grew %d kB; want at most %d kB", peak-base, anonRSSBound)
	}
	long.Close()
	pipe.Close()
	multi.Close()
}
