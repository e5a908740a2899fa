//go:build linux

package handoff

import (
	"context"
	"encoding/binary"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// fakeServer answers one connection with reply (and nfds descriptors of /dev/null), or
// with nothing (reply nil: close at once; hang: wait until the client gives up).
func fakeServer(t *testing.T, reply []byte, nfds int, hang bool) (string, <-chan struct{}) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "fake.sock")
	l, err := net.ListenUnix("unixpacket", &net.UnixAddr{Name: path, Net: "unixpacket"})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	t.Cleanup(func() { l.Close(); <-done })
	go func() {
		defer close(done)
		c, err := l.AcceptUnix()
		if err != nil {
			return
		}
		defer c.Close()
		if hang {
			c.Read(make([]byte, 1)) // until the client hangs up
			return
		}
		if reply == nil {
			return
		}
		var oob []byte
		if nfds > 0 {
			null, err := os.Open(os.DevNull)
			if err != nil {
				return
			}
			defer null.Close()
			fds := make([]int, nfds)
			for i := range fds {
				fds[i] = int(null.Fd())
			}
			oob = unix.UnixRights(fds...)
		}
		if _, _, err := c.WriteMsgUnix(reply, oob, nil); err != nil {
			t.Errorf("fake server: %v", err)
		}
	}()
	return path, done
}

// TestReceiveBadServer: a reply that is not one well-formed message of this version
// with exactly the descriptors it should carry is an error, and every descriptor that
// came with it is closed.
func TestReceiveBadServer(t *testing.T) {
	grant := message{kind: kindGrant}.encode()
	refusal := message{kind: kindRefusal, text: "no"}.encode()
	v2 := append([]byte(nil), grant...)
	binary.LittleEndian.PutUint16(v2[8:], 2)
	for _, tc := range []struct {
		name  string
		reply []byte
		nfds  int
		hang  bool
		want  error
	}{
		{name: "no reply", want: ErrProtocol},
		{name: "short", reply: grant[:5], nfds: 1, want: ErrProtocol},
		{name: "foreign", reply: []byte("HTTP/1.0 200 OK\r\n\r\n"), nfds: 1, want: ErrProtocol},
		{name: "version 2", reply: v2, nfds: 1, want: ErrProtocol},
		{name: "grant without descriptor", reply: grant, want: ErrProtocol},
		{name: "grant with 3 descriptors", reply: grant, nfds: 3, want: ErrProtocol},
		{name: "grant with 20 descriptors", reply: grant, nfds: 20, want: ErrProtocol},
		{name: "refusal with a descriptor", reply: refusal, nfds: 1, want: ErrRefused},
		{name: "too long", reply: append(message{kind: kindRefusal}.encode(), make([]byte, 3000)...), nfds: 2, want: ErrProtocol},
		{name: "silent", hang: true, want: os.ErrDeadlineExceeded},
	} {
		path, served := fakeServer(t, tc.reply, tc.nfds, tc.hang)
		before := openFDs(t)
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		f, err := Receive(ctx, path)
		cancel()
		if f != nil {
			f.Close()
		}
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
		<-served // the fake server has closed its connection and /dev/null
		if after := openFDs(t); after != before {
			t.Errorf("%s: open descriptors %d -> %d", tc.name, before, after)
		}
	}
	if _, err := Receive(context.Background(), filepath.Join(t.TempDir(), "none")); err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("no socket: %v", err)
	}
}

// TestReceiveCancel: cancelling the context ends the wait at once.
func TestReceiveCancel(t *testing.T) {
	path, _ := fakeServer(t, nil, 0, true)
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	if _, err := Receive(ctx, path); err == nil || time.Since(start) > 2*time.Second {
		t.Fatalf("cancelled receive: %v after %v", err, time.Since(start))
	}
}
