package protocol

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/plibcached/plibcached/plib"
)

const memcachedPath = "/usr/bin/memcached"

// testServer is a plibd protocol server on a fresh segment, listening on a unix socket.
type testServer struct {
	sock   string
	seg    string
	srv    *Server
	client *plib.Client
}

// startPlibd serves a new segment in t's temporary directory over a unix socket, and
// over TCP on a free loopback port if tcp is set (the address is then returned).
func startPlibd(t testing.TB, tcp bool, clock plib.Clock) (*testServer, string) {
	t.Helper()
	dir := t.TempDir()
	ts := &testServer{sock: filepath.Join(dir, "plibd.sock"), seg: filepath.Join(dir, "seg")}
	client, err := plib.Open(ts.seg, plib.Options{Size: 256 << 20, MaxClients: 16, Protection: plib.ModeNoPKU, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	be := NewPlibBackend(client, 4, clock)
	ts.client, ts.srv = client, NewServer(be, Config{})
	l, err := net.Listen("unix", ts.sock)
	if err != nil {
		t.Fatal(err)
	}
	go ts.srv.Serve(l)
	addr := ""
	if tcp {
		tl, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr = tl.Addr().String()
		go ts.srv.Serve(tl)
	}
	t.Cleanup(func() {
		ts.srv.Close()
		be.Close()
		client.Close()
	})
	return ts, addr
}

// startMemcached runs stock memcached on a unix socket in t's temporary directory, or
// skips the test if it is not installed.
func startMemcached(t testing.TB) string {
	t.Helper()
	return startMemcachedWith(t, "no_lru_crawler,no_lru_maintainer,slab_automove=0,no_slab_reassign")
}

// startMemcachedWith is startMemcached with memcached's -o options opts and extra
// command-line arguments.
func startMemcachedWith(t testing.TB, opts string, extra ...string) string {
	t.Helper()
	if _, err := os.Stat(memcachedPath); err != nil {
		t.Skipf("differential test needs stock memcached at %s: %v", memcachedPath, err)
	}
	sock := filepath.Join(t.TempDir(), "mc.sock")
	// No background LRU maintainer or crawler: they take references to items now and
	// then, and an incr of an item referenced elsewhere makes a new item (unpadded) where
	// it would otherwise rewrite it in place, which would make replies depend on timing.
	args := []string{"-s", sock, "-m", "1024", "-U", "0", "-t", "2",
		"-o", opts}
	args = append(args, extra...)
	if os.Geteuid() == 0 {
		args = append(args, "-u", "root") // memcached refuses root without it
	}
	cmd := exec.Command(memcachedPath, args...)
	cmd.Stderr = os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} // even if the test crashes
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	for deadline := time.Now().Add(10 * time.Second); ; {
		c, err := net.Dial("unix", sock)
		if err == nil {
			c.Close()
			return sock
		}
		if time.Now().After(deadline) {
			t.Fatalf("memcached did not come up on %s: %v", sock, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// dial connects to a unix socket.
func dial(t testing.TB, sock string) net.Conn {
	t.Helper()
	c, err := net.Dial("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
