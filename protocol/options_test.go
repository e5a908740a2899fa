package protocol

import (
	"bufio"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/plibcached/plibcached/plib"
)

// startPlibdWith serves a new segment over a unix socket with cfg, the store running on
// clock (nil: the coarse clock).
func startPlibdWith(t *testing.T, cfg Config, clock plib.Clock) net.Conn {
	t.Helper()
	_, sock := newServerWith(t, cfg, clock)
	c := dial(t, sock)
	t.Cleanup(func() { c.Close() })
	return c
}

// newServerWith serves a new segment with cfg over a unix socket, whose path it returns
// with the server.
func newServerWith(t *testing.T, cfg Config, clock plib.Clock) (*Server, string) {
	t.Helper()
	dir := t.TempDir()
	client, err := plib.Open(filepath.Join(dir, "seg"), plib.Options{Size: 64 << 20, MaxClients: 8, Protection: plib.ModeNoPKU, Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	be := NewPlibBackend(client, 2, clock)
	srv := NewServer(be, cfg)
	sock := filepath.Join(dir, "plibd.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	t.Cleanup(func() {
		srv.Close()
		be.Close()
		client.Close()
	})
	return srv, sock
}

// statValue sends "stats" on c and returns the value of name.
func statValue(t *testing.T, c net.Conn, name string) string {
	t.Helper()
	c.Write([]byte("stats\r\n"))
	r := bufio.NewReader(c)
	val := ""
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		if line == "END\r\n" {
			return val
		}
		if f := strings.Fields(line); len(f) == 3 && f[1] == name {
			val = f[2]
		}
	}
}

func TestDebugtime(t *testing.T) {
	clock := &DebugClock{Base: plib.NewManualClock(1_000_000)}
	c := startPlibdWith(t, Config{DebugClock: clock}, clock)
	c.Write([]byte("set a 0 10 1\r\nx\r\ndebugtime 9\r\nget a\r\ndebugtime 2\r\nget a\r\ndebugtime x\r\n"))
	expect(t, c, "STORED\r\nOK\r\nVALUE a 0 1\r\nx\r\nEND\r\nOK\r\nEND\r\nERROR\r\n")
	c.Write([]byte("debugtime p\r\n"))
	expect(t, c, "OK\r\n")
	clock.Base.(*plib.ManualClock).Advance(100)
	if got := clock.Now(); got != 1_000_011 {
		t.Fatalf("paused clock reads %d, want 1000011", got)
	}
	c.Write([]byte("debugtime r\r\n"))
	expect(t, c, "OK\r\n")
	if got := clock.Now(); got != 1_000_111 {
		t.Fatalf("resumed clock reads %d, want 1000111", got)
	}

	plain := startPlibdWith(t, Config{}, nil)
	plain.Write([]byte("debugtime 5\r\n"))
	expect(t, plain, "ERROR\r\n")
}

func TestFlushDisabled(t *testing.T) {
	c := startPlibdWith(t, Config{FlushDisabled: true}, nil)
	c.Write([]byte("set a 0 0 1\r\nx\r\nflush_all\r\nflush_all 0 noreply\r\nget a\r\n"))
	// noreply silences the error too, as memcached's out_string does.
	expect(t, c, "STORED\r\nCLIENT_ERROR flush_all not allowed\r\nVALUE a 0 1\r\nx\r\nEND\r\n")
	if got := statValue(t, c, "cmd_flush"); got != "2" {
		t.Fatalf("cmd_flush %s, want 2 (memcached counts refused flushes)", got)
	}
}

func TestIdleTimeout(t *testing.T) {
	c := startPlibdWith(t, Config{IdleTimeout: 300 * time.Millisecond}, nil)
	for range 4 {
		c.Write([]byte("version\r\n"))
		expect(t, c, "VERSION 1.6.18\r\n")
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(600 * time.Millisecond)
	expectClosed(t, c)
	c2 := dial(t, sock(c))
	defer c2.Close()
	if got := statValue(t, c2, "idle_kicks"); got != "1" {
		t.Fatalf("idle_kicks %q, want 1", got)
	}
}

// sock is the unix socket path c is connected to.
func sock(c net.Conn) string { return c.RemoteAddr().String() }

func TestReqsPerEvent(t *testing.T) {
	c := startPlibdWith(t, Config{ReqsPerEvent: 1}, nil)
	c.Write([]byte(strings.Repeat("set a 0 0 1\r\nx\r\n", 6)))
	expect(t, c, strings.Repeat("STORED\r\n", 6))
	// 5 when the six commands arrive in one read, as they do on a unix socket.
	if got, _ := strconv.Atoi(statValue(t, c, "conn_yields")); got < 1 || got > 5 {
		t.Fatalf("conn_yields %d, want 1 to 5", got)
	}
}

func TestShutdownCommand(t *testing.T) {
	stopped := make(chan struct{}, 2)
	c := startPlibdWith(t, Config{Shutdown: func() { stopped <- struct{}{} }}, nil)
	c.Write([]byte("shutdown foo\r\nshutdown\r\n"))
	expect(t, c, "CLIENT_ERROR invalid shutdown mode\r\n")
	expectClosed(t, c)
	select {
	case <-stopped:
	case <-time.After(5 * time.Second):
		t.Fatal("shutdown did not stop the server")
	}
	plain := startPlibdWith(t, Config{}, nil)
	plain.Write([]byte("shutdown\r\n"))
	expect(t, plain, "ERROR: shutdown not enabled\r\n")
}

// TestAdminCommands: lru_crawler and slabs automove answer as memcached does with the
// features as plibd has them (no crawler; pages moved on demand, automove level 1).
func TestAdminCommands(t *testing.T) {
	c := startPlibdWith(t, Config{}, nil)
	c.Write([]byte("lru_crawler crawl all\r\nlru_crawler metadump 1\r\nlru_crawler enable\r\nlru_crawler disable\r\n" +
		"slabs automove invalid\r\nslabs automove 1\r\nslabs automove 0\r\nslabs reassign 1 2\r\n"))
	expect(t, c, "CLIENT_ERROR lru crawler disabled\r\nCLIENT_ERROR lru crawler disabled\r\n"+
		"ERROR failed to start lru crawler thread\r\nOK\r\nCLIENT_ERROR bad command line format\r\nOK\r\nERROR\r\nERROR\r\n")
}
