package protocol

import (
	"net"
	"strings"
	"testing"
	"time"
)

// TestLongGetLineRefused: a get line that goes past getLineLimit without a newline is
// answered as memcached answers a request it has no memory for, and the connection is
// closed, on the event loops and on a connection's own goroutine (a pipe) alike.
func TestLongGetLineRefused(t *testing.T) {
	srv, sock := newServerWith(t, Config{}, nil)
	pipe, served := net.Pipe()
	srv.ServeConn(served)
	for _, c := range []net.Conn{dial(t, sock), pipe} {
		defer c.Close()
		go func() {
			c.Write([]byte("get "))
			chunk := []byte(strings.Repeat("k ", 16<<10))
			for sent := 0; sent < getLineLimit+len(chunk); sent += len(chunk) {
				if _, err := c.Write(chunk); err != nil {
					return
				}
			}
		}()
		expect(t, c, "SERVER_ERROR out of memory reading request\r\n")
		expectClosed(t, c)
	}
}

// TestReadBufMemLimit: under memcached's -o read_buf_mem_limit, one loop with two 16 KiB
// buffers (one for the connection's input, one of 13 response objects) refuses a
// 20-key multiget with memcached's error and closes a connection that pipelines more
// commands than it has response objects for, unanswered, counting both in
// response_obj_oom; a small multiget is served, also after another connection's
// unfinished line (which held a buffer of its own) has been completed.
func TestReadBufMemLimit(t *testing.T) {
	cfg := Config{ReadBufMemLimit: 2 * readBufferSize, Loops: 1}
	_, sock := newServerWith(t, cfg, nil)
	c, other := dial(t, sock), dial(t, sock)
	defer c.Close()
	defer other.Close()
	other.Write([]byte("get fo"))
	time.Sleep(50 * time.Millisecond) // read alone: its unfinished line is kept
	other.Write([]byte("o\r\n"))
	expect(t, other, "END\r\n")
	c.Write([]byte("get" + strings.Repeat(" foo", 12) + "\r\n"))
	expect(t, c, "END\r\n")
	c.Write([]byte("get" + strings.Repeat(" foo", 20) + "\r\n"))
	expect(t, c, rOutOfMemoryGet+"\r\n")
	c.Write([]byte("get foo foo foo\r\n"))
	expect(t, c, "END\r\n")
	if got := statValue(t, c, "response_obj_oom"); got != "1" {
		t.Fatalf("response_obj_oom %s after a refused multiget, want 1", got)
	}
	if got := settingValue(t, c, "read_buf_mem_limit"); got != "32768" {
		t.Fatalf("stats settings read_buf_mem_limit %s", got)
	}
	c.Write([]byte(strings.Repeat("mg foo v\r\n", 30)))
	expectClosed(t, c)
}
