//go:build linux

package handoff

import (
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// A child is this test binary re-executed with connectEnv set to a socket path: it
// connects and exits at once, reading nothing.
const connectEnv = "HANDOFF_TEST_CONNECT"

func TestMain(m *testing.M) {
	if path := os.Getenv(connectEnv); path != "" {
		fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_SEQPACKET, 0)
		if err == nil {
			err = unix.Connect(fd, &unix.SockaddrUnix{Name: path})
		}
		if err != nil {
			os.Exit(3)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// sealedMemfd is a stand-in segment: a memfd with RequiredSeals.
func sealedMemfd(t *testing.T) *os.File {
	t.Helper()
	fd, err := unix.MemfdCreate("handoff-test", unix.MFD_CLOEXEC|unix.MFD_ALLOW_SEALING)
	if err != nil {
		t.Fatal(err)
	}
	f := os.NewFile(uintptr(fd), "memfd")
	t.Cleanup(func() { f.Close() })
	if err := f.Truncate(4096); err != nil {
		t.Fatal(err)
	}
	if _, err := unix.FcntlInt(f.Fd(), unix.F_ADD_SEALS, RequiredSeals); err != nil {
		t.Fatal(err)
	}
	return f
}

func sameFile(t *testing.T, a, b *os.File) bool {
	t.Helper()
	sa, err1 := a.Stat()
	sb, err2 := b.Stat()
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	return os.SameFile(sa, sb)
}

// serve runs a Server with cfg (Segment filled in) on a fresh socket; it is closed at
// the test's end, and Serve must then return ErrServerClosed.
func serve(t *testing.T, cfg Config) (*Server, string) {
	t.Helper()
	if cfg.Segment == nil {
		cfg.Segment = sealedMemfd(t)
	}
	path := filepath.Join(t.TempDir(), "plibd.sock")
	l, err := Listen(path, 0o666)
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewServer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve(l) }()
	t.Cleanup(func() {
		if err := s.Close(); err != nil && err != ErrServerClosed {
			t.Error(err)
		}
		if err := <-done; err != ErrServerClosed {
			t.Errorf("Serve returned %v", err)
		}
	})
	return s, path
}

func receive(path string) (*os.File, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return Receive(ctx, path)
}

func me() Peer { return Peer{UID: uint32(os.Geteuid()), GID: uint32(os.Getegid())} }

// TestGrant: an allowed process gets the segment's descriptor; a refused one gets the
// reason, and no descriptor.
func TestGrant(t *testing.T) {
	seg := sealedMemfd(t)
	var logs []string
	var mu sync.Mutex
	logf := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		logs = append(logs, strings.TrimSpace(format))
	}
	_, path := serve(t, Config{Segment: seg, Policy: Policy{UIDs: []uint32{me().UID}}, Logf: logf})
	f, err := receive(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if !sameFile(t, f, seg) {
		t.Fatal("the granted descriptor is another file")
	}
	if fl, _ := unix.FcntlInt(f.Fd(), unix.F_GETFD, 0); fl&unix.FD_CLOEXEC == 0 {
		t.Error("the received descriptor is not close-on-exec")
	}
	mu.Lock()
	if len(logs) != 1 || !strings.HasPrefix(logs[0], "plib/handoff: granted") {
		t.Errorf("log %q", logs)
	}
	mu.Unlock()

	s, path := serve(t, Config{Policy: Policy{UIDs: []uint32{me().UID + 1}, GIDs: []uint32{me().GID + 1}}})
	before := settledFDs(t, s)
	_, err = receive(path)
	var re *RefusedError
	if !errors.Is(err, ErrRefused) || !errors.As(err, &re) || !strings.Contains(re.Reason, "is not allowed") {
		t.Fatalf("refused peer: %v", err)
	}
	if after := settledFDs(t, s); after != before {
		t.Fatalf("open descriptors %d -> %d", before, after)
	}
	t.Logf("refusal: %v", err)
}

// TestNewServerChecks: a descriptor without the seals is not served.
func TestNewServerChecks(t *testing.T) {
	fd, err := unix.MemfdCreate("unsealed", unix.MFD_CLOEXEC|unix.MFD_ALLOW_SEALING)
	if err != nil {
		t.Fatal(err)
	}
	f := os.NewFile(uintptr(fd), "unsealed")
	defer f.Close()
	if _, err := NewServer(Config{Segment: f}); err == nil {
		t.Fatal("served an unsealed memfd")
	}
	tmp, _ := os.Create(filepath.Join(t.TempDir(), "file"))
	defer tmp.Close()
	if _, err := NewServer(Config{Segment: tmp}); err == nil {
		t.Fatal("served a plain file")
	}
	if _, err := NewServer(Config{}); err == nil {
		t.Fatal("served nothing")
	}
}

// TestOnExit: the server watches a grantee's process; a child that connects and exits
// at once is seen to exit (or, if it has gone before the server could take a pidfd, is
// refused), and the server carries on.
func TestOnExit(t *testing.T) {
	exits := make(chan Peer, 4)
	_, path := serve(t, Config{Policy: Policy{UIDs: []uint32{me().UID}}, OnExit: func(p Peer) { exits <- p }})
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), connectEnv+"="+path)
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	select {
	case p := <-exits:
		if p.PID != cmd.Process.Pid {
			t.Fatalf("OnExit for %v, want pid %d", p, cmd.Process.Pid)
		}
	case <-time.After(5 * time.Second):
		t.Log("no OnExit: the child was gone before its pidfd was taken")
	}
	if f, err := receive(path); err != nil {
		t.Fatal(err)
	} else {
		f.Close()
	}
	select {
	case p := <-exits:
		t.Fatalf("OnExit for %v, which is running", p)
	case <-time.After(50 * time.Millisecond):
	}
}

func openFDs(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}

// TestBadPeers: peers that hang up at once, never read, send garbage, speak the wrong
// socket type, or come in a flood do not stop the server, which answers a good peer
// afterwards and leaks nothing.
func TestBadPeers(t *testing.T) {
	s, path := serve(t, Config{Policy: Policy{UIDs: []uint32{me().UID}}, Timeout: time.Second})
	before := settledFDs(t, s)
	dial := func() *net.UnixConn {
		c, err := net.DialUnix("unixpacket", nil, &net.UnixAddr{Name: path, Net: "unixpacket"})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	for range 20 {
		dial().Close() // hang up at once
	}
	var idle []*net.UnixConn
	for range 100 { // connect and never read: more than the server handles at once
		idle = append(idle, dial())
	}
	for range 5 {
		c := dial()
		c.Write([]byte("GET / HTTP/1.0\r\n\r\n"))
		c.Write(make([]byte, 100000)) // more than a seqpacket datagram may be
		c.Close()
	}
	if _, err := net.Dial("unix", path); !errors.Is(err, syscall.EPROTOTYPE) && !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("stream connect to a seqpacket socket: %v", err)
	}
	f, err := receive(path)
	if err != nil {
		t.Fatalf("good peer after bad ones: %v", err)
	}
	f.Close()
	for _, c := range idle {
		c.Close()
	}
	if after := settledFDs(t, s); after != before {
		t.Fatalf("%d descriptors open, %d before", after, before)
	}
}

// settledFDs waits until s has no connection in progress, then counts this process's
// open descriptors.
func settledFDs(t *testing.T, s *Server) int {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		s.mu.Lock()
		n := len(s.conns)
		s.mu.Unlock()
		if n == 0 {
			return openFDs(t)
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d connections still in progress", n)
		}
	}
}

// TestClose: Close ends Serve, removes the socket, and a second Close says so.
func TestClose(t *testing.T) {
	seg := sealedMemfd(t)
	path := filepath.Join(t.TempDir(), "s")
	l, err := Listen(path, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Listen(path, 0o600); err == nil {
		t.Fatal("listened twice on one path")
	}
	s, _ := NewServer(Config{Segment: seg, Policy: Policy{UIDs: []uint32{me().UID}}, OnExit: func(Peer) {}})
	done := make(chan error)
	go func() { done <- s.Serve(l) }()
	f, err := receive(path)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != ErrServerClosed {
		t.Fatalf("Serve: %v", err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("socket left behind: %v", err)
	}
	if s.Close() != ErrServerClosed || s.Serve(l) != ErrServerClosed {
		t.Fatal("closed server")
	}
	// A stale socket (its server gone without unlinking it) is replaced.
	fd, _ := unix.Socket(unix.AF_UNIX, unix.SOCK_SEQPACKET, 0)
	unix.Bind(fd, &unix.SockaddrUnix{Name: path})
	unix.Close(fd)
	l, err = Listen(path, 0o600)
	if err != nil {
		t.Fatalf("over a stale socket: %v", err)
	}
	l.Close()
}
