package protocol

import (
	"encoding/binary"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/plibcached/plibcached/plib"
)

// TestUDP: memcached's UDP framing. A request's reply comes back under its id, cut into
// datagrams of at most 1400 bytes numbered 0..n-1 of n; a set's data travels in its
// datagram; a request claiming several datagrams is dropped; stats conns lists the socket.
func TestUDP(t *testing.T) {
	dir := t.TempDir()
	client, err := plib.Open(filepath.Join(dir, "seg"), plib.Options{Size: 64 << 20, MaxClients: 8, Protection: plib.ModeNoPKU})
	if err != nil {
		t.Fatal(err)
	}
	be := NewPlibBackend(client, 2, nil)
	srv := NewServer(be, Config{})
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.ServeUDP(pc)
	t.Cleanup(func() { srv.Close(); be.Close(); client.Close() })
	u, err := net.Dial("udp4", pc.LocalAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	request := func(id uint16, total uint16, body string) {
		h := make([]byte, udpHeaderLen)
		binary.BigEndian.PutUint16(h[0:], id)
		binary.BigEndian.PutUint16(h[4:], total)
		u.Write(append(h, body...))
	}
	reply := func(id uint16) string {
		t.Helper()
		var got []string
		for want := 1; len(got) < want; {
			b := make([]byte, 2048)
			u.SetReadDeadline(time.Now().Add(5 * time.Second))
			n, err := u.Read(b)
			if err != nil {
				t.Fatalf("request %d: %v after %d datagrams", id, err, len(got))
			}
			if n > udpMaxPayload || binary.BigEndian.Uint16(b) != id || int(binary.BigEndian.Uint16(b[2:])) != len(got) {
				t.Fatalf("request %d: datagram %d has header %x (%d bytes)", id, len(got), b[:udpHeaderLen], n)
			}
			want = int(binary.BigEndian.Uint16(b[4:]))
			got = append(got, string(b[udpHeaderLen:n]))
		}
		return strings.Join(got, "")
	}
	value := strings.Repeat("x", 3000)
	request(7, 1, "set k 0 0 3000\r\n"+value+"\r\n")
	if got := reply(7); got != "STORED\r\n" {
		t.Fatalf("set: %q", got)
	}
	request(1, 2, "get k\r\n") // several datagrams: dropped
	request(8, 1, "get k\r\n")
	if got := reply(8); got != "VALUE k 0 3000\r\n"+value+"\r\nEND\r\n" {
		t.Fatalf("get: %d bytes %q...", len(got), clip([]byte(got)))
	}
	request(9, 1, "stats conns\r\n")
	if got := reply(9); !strings.Contains(got, ":addr udp:"+pc.LocalAddr().String()+"\r\n") {
		t.Fatalf("stats conns does not list the UDP socket:\n%s", got)
	}
}
