package protocol

import (
	"bytes"
	"encoding/binary"
	"io"
	"net"
	"testing"
	"time"
)

// binaryGet is a binary-protocol get of key with the given opaque.
func binaryGet(key string, opaque uint32) []byte {
	h := make([]byte, binaryHeaderLen, binaryHeaderLen+len(key))
	h[0], h[1] = binaryReqMagic, 0x00
	binary.BigEndian.PutUint16(h[2:], uint16(len(key)))
	binary.BigEndian.PutUint32(h[8:], uint32(len(key)))
	binary.BigEndian.PutUint32(h[12:], opaque)
	return append(h, key...)
}

// TestBinding: -B auto and binary answer a binary client "Unknown command" per request
// (opaque echoed, body skipped); -B binary closes a text client unanswered; -B ascii takes
// 0x80 as text; stats settings reports the binding and the backlog.
func TestBinding(t *testing.T) {
	want := func(opaque uint32) []byte {
		r := make([]byte, binaryHeaderLen)
		r[0] = binaryResMagic
		binary.BigEndian.PutUint16(r[6:], binaryUnknownCmd)
		binary.BigEndian.PutUint32(r[8:], uint32(len(binaryUnknownText)))
		binary.BigEndian.PutUint32(r[12:], opaque)
		return append(r, binaryUnknownText...)
	}
	for _, b := range []Binding{BindAuto, BindBinary} {
		c := startPlibdWith(t, Config{Binding: b, Backlog: 77}, nil)
		c.SetDeadline(time.Now().Add(10 * time.Second))
		c.Write(append(binaryGet("foo", 7), binaryGet("barbaz", 9)...))
		got := make([]byte, 2*len(want(0)))
		if _, err := io.ReadFull(c, got); err != nil {
			t.Fatalf("%v: %v", b, err)
		}
		if exp := append(want(7), want(9)...); !bytes.Equal(got, exp) {
			t.Fatalf("%v: binary replies %x, want %x", b, got, exp)
		}
	}
	c := startPlibdWith(t, Config{Binding: BindBinary}, nil)
	c.SetDeadline(time.Now().Add(10 * time.Second))
	c.Write([]byte("version\r\n"))
	if n, err := c.Read(make([]byte, 64)); err == nil {
		t.Fatalf("-B binary answered a text command (%d bytes)", n)
	}
	c = startPlibdWith(t, Config{Binding: BindASCII, Backlog: 77}, nil)
	for name, want := range map[string]string{"binding_protocol": "ascii", "tcp_backlog": "77"} {
		if got := settingValue(t, c, name); got != want {
			t.Errorf("stats settings %s = %q, want %q", name, got, want)
		}
	}
	c.Write([]byte("\x80x\r\n"))
	if got := readLineFrom(t, c); got != "ERROR" {
		t.Fatalf("-B ascii: 0x80 line got %q, want ERROR", got)
	}
}

// settingValue reads one key of "stats settings" on c.
func settingValue(t *testing.T, c net.Conn, name string) string {
	t.Helper()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	c.Write([]byte("stats settings\r\n"))
	val := ""
	for {
		line := readLineFrom(t, c)
		if line == "END" {
			return val
		}
		if f := bytes.Fields([]byte(line)); len(f) == 3 && string(f[1]) == name {
			val = string(f[2])
		}
	}
}

// readLineFrom reads one line from c byte by byte (no buffering past it), without CRLF.
func readLineFrom(t *testing.T, c net.Conn) string {
	t.Helper()
	var b []byte
	one := make([]byte, 1)
	for {
		if _, err := c.Read(one); err != nil {
			t.Fatalf("after %q: %v", b, err)
		}
		if one[0] == '\n' {
			return string(bytes.TrimSuffix(b, []byte("\r")))
		}
		b = append(b, one[0])
	}
}
