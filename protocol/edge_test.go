package protocol

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// expect reads exactly len(want) bytes from c and compares them.
func expect(t *testing.T, c net.Conn, want string) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	got := make([]byte, len(want))
	if _, err := io.ReadFull(c, got); err != nil {
		t.Fatalf("reading %q: %v (got %q)", clip([]byte(want)), err, clip(got))
	}
	if string(got) != want {
		t.Fatalf("got  %q\nwant %q", clip(got), clip([]byte(want)))
	}
}

// expectClosed checks that the server closed c, having sent nothing more.
func expectClosed(t *testing.T, c net.Conn) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	b, err := io.ReadAll(c)
	if len(b) > 0 || err != nil && !isReset(err) {
		t.Fatalf("after close: %q, %v", b, err)
	}
}

func tcp(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestPipelining(t *testing.T) {
	_, addr := startPlibd(t, true, nil)
	c := tcp(t, addr)
	var req, want strings.Builder
	for i := 0; i < 500; i++ {
		fmt.Fprintf(&req, "set k%d 0 0 %d noreply\r\n%s\r\n", i, len(fmt.Sprint(i)), fmt.Sprint(i))
		fmt.Fprintf(&req, "incr k%d 1\r\nget k%d\r\n", i, i)
		v := fmt.Sprint(i + 1)
		if len(v) > len(fmt.Sprint(i)) {
			fmt.Fprintf(&want, "%s\r\nVALUE k%d 0 %d\r\n%s\r\nEND\r\n", v, i, len(v), v)
		} else {
			fmt.Fprintf(&want, "%s\r\nVALUE k%d 0 %d\r\n%s\r\nEND\r\n", v, i, len(fmt.Sprint(i)), v)
		}
	}
	c.Write([]byte(req.String() + "mn\r\n"))
	expect(t, c, want.String()+"MN\r\n")
}

// TestSplitWrites sends commands one byte per write: lines and data split anywhere.
func TestSplitWrites(t *testing.T) {
	_, addr := startPlibd(t, true, nil)
	c := tcp(t, addr)
	value := strings.Repeat("v", 40000)
	req := "set k 1 0 5\r\nhello\r\nget k\r\nms big 40000 T0 c\r\n" + value + "\r\nmg big s v\r\n"
	go func() {
		for i := 0; i < len(req); {
			n := 1
			if i > 30 && i < len(req)-30 {
				n = 997 // the big value in pieces
			}
			n = min(n, len(req)-i)
			c.Write([]byte(req[i : i+n]))
			i += n
		}
	}()
	expect(t, c, "STORED\r\nVALUE k 1 5\r\nhello\r\nEND\r\n")
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	line := make([]byte, 0, 64)
	for !bytes.HasSuffix(line, []byte("\r\n")) {
		b := make([]byte, 1)
		if _, err := c.Read(b); err != nil {
			t.Fatal(err)
		}
		line = append(line, b[0])
	}
	if !bytes.HasPrefix(line, []byte("HD c")) {
		t.Fatalf("ms: %q", line)
	}
	expect(t, c, "VA 40000 s40000\r\n"+value+"\r\n")
}

// TestManyKeys gets 5000 keys in one command: a line far beyond the 16 KiB read buffer.
func TestManyKeys(t *testing.T) {
	ts, _ := startPlibd(t, false, nil)
	c := dial(t, ts.sock)
	defer c.Close()
	var req strings.Builder
	req.WriteString("gets")
	for i := 0; i < 5000; i++ {
		fmt.Fprintf(&req, " key%d", i)
		if i%2 == 0 {
			fmt.Fprintf(c, "set key%d 0 0 1 noreply\r\nx\r\n", i)
		}
	}
	c.Write([]byte(req.String() + "\r\n"))
	got := make([]byte, 0, 1<<20)
	buf := make([]byte, 64<<10)
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	for !bytes.HasSuffix(got, []byte("END\r\n")) {
		n, err := c.Read(buf)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, buf[:n]...)
	}
	if n := bytes.Count(got, []byte("VALUE ")); n != 2500 {
		t.Fatalf("%d values, want 2500", n)
	}
	if !bytes.HasPrefix(got, []byte("VALUE key0 0 1 ")) {
		t.Fatalf("first value: %q", got[:40])
	}
}

func TestQuit(t *testing.T) {
	ts, _ := startPlibd(t, false, nil)
	c := dial(t, ts.sock)
	defer c.Close()
	c.Write([]byte("set a 0 0 1\r\nx\r\nquit\r\nset a 0 0 1\r\ny\r\n"))
	expect(t, c, "STORED\r\n")
	expectClosed(t, c)
	c2 := dial(t, ts.sock)
	defer c2.Close()
	c2.Write([]byte("get a\r\n"))
	expect(t, c2, "VALUE a 0 1\r\nx\r\nEND\r\n") // nothing after quit ran
}

func TestGarbage(t *testing.T) {
	ts, _ := startPlibd(t, false, nil)
	c := dial(t, ts.sock)
	defer c.Close()
	c.Write([]byte("\x00\x01\x02\r\n\xff\xfe garbage\r\n\r\n   \r\nget\r\nset\r\nincr x\r\nmn\r\n"))
	expect(t, c, strings.Repeat("ERROR\r\n", 7)+"MN\r\n")
	c.Write([]byte(strings.Repeat("z", 5000))) // no newline: memcached hangs up
	expectClosed(t, c)
	c = dial(t, ts.sock)
	defer c.Close()
	c.Write([]byte("POST /x HTTP/1.0\r\n"))
	expectClosed(t, c)
}

func TestStats(t *testing.T) {
	ts, _ := startPlibd(t, false, nil)
	c := dial(t, ts.sock)
	defer c.Close()
	c.Write([]byte("set a 0 0 1\r\nx\r\nget a b\r\nstats\r\n"))
	expect(t, c, "STORED\r\nVALUE a 0 1\r\nx\r\nEND\r\n")
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	var got []byte
	buf := make([]byte, 4096)
	for !bytes.HasSuffix(got, []byte("END\r\n")) {
		n, err := c.Read(buf)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, buf[:n]...)
	}
	for _, want := range []string{"STAT pid ", "STAT uptime ", "STAT version 1.6.18\r\n", "STAT curr_connections 1\r\n",
		"STAT cmd_get 2\r\n", "STAT get_hits 1\r\n", "STAT get_misses 1\r\n", "STAT cmd_set 1\r\n",
		"STAT curr_items 1\r\n", "STAT limit_maxbytes ", "STAT threads "} {
		if !bytes.Contains(got, []byte(want)) {
			t.Errorf("stats lacks %q:\n%s", want, got)
		}
	}
	c.Write([]byte("stats slabs\r\nstats settings\r\nstats nonsense\r\nmn\r\n"))
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	got = got[:0]
	for !bytes.HasSuffix(got, []byte("MN\r\n")) {
		n, err := c.Read(buf)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, buf[:n]...)
	}
	if bytes.Count(got, []byte("END\r\n")) != 2 || !bytes.Contains(got, []byte("STAT active_slabs 1\r\n")) ||
		!bytes.Contains(got, []byte("STAT item_size_max 1048576\r\n")) || !bytes.HasSuffix(got, []byte("ERROR\r\nMN\r\n")) {
		t.Fatalf("stats slabs, settings, nonsense:\n%s", got)
	}
}

// TestArithmetic covers incr and decr on numbers as memcached reads them, including one
// padded with more white space than the number itself (which the store's Incr cannot
// rewrite in place).
func TestArithmetic(t *testing.T) {
	ts, _ := startPlibd(t, false, nil)
	c := dial(t, ts.sock)
	defer c.Close()
	pad := "1" + strings.Repeat(" ", 40)
	c.Write([]byte("set p 0 0 41\r\n" + pad + "\r\nincr p 1\r\ndecr p 5\r\nget p\r\n" +
		"set q 0 0 6\r\n12 abc\r\nincr q 1\r\nset r 0 0 2\r\n+5\r\ndecr r 1\r\n" +
		"set w 0 0 20\r\n18446744073709551615\r\nincr w 2\r\nget w\r\nincr x 1\r\n" +
		"set n 0 0 3\r\nabc\r\nincr n 1\r\nincr n -1\r\nmn\r\n"))
	expect(t, c, "STORED\r\n2\r\n0\r\nVALUE p 0 41\r\n0"+strings.Repeat(" ", 40)+"\r\nEND\r\n"+
		"STORED\r\n13\r\nSTORED\r\n4\r\n"+
		"STORED\r\n1\r\nVALUE w 0 20\r\n1"+strings.Repeat(" ", 19)+"\r\nEND\r\nNOT_FOUND\r\n"+
		"STORED\r\n"+rNonNumeric+"\r\nCLIENT_ERROR invalid numeric delta argument\r\nMN\r\n")
}
