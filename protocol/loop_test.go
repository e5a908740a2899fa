package protocol

import (
	"fmt"
	"net"
	"path/filepath"
	"testing"

	"github.com/plibcached/plibcached/plib"
)

// TestLoopsShareScarceSlots: with one session for four event loops (the segment's other
// slots taken), every loop's connections are served on the one session, in turn.
func TestLoopsShareScarceSlots(t *testing.T) {
	dir := t.TempDir()
	client, err := plib.Open(filepath.Join(dir, "seg"), plib.Options{Size: 64 << 20, MaxClients: 8, Protection: plib.ModeNoPKU})
	if err != nil {
		t.Fatal(err)
	}
	be := NewPlibBackend(client, 1, nil)
	srv := NewServer(be, Config{Loops: 4})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close(); be.Close(); client.Close() })
	for i := range 8 {
		c := tcp(t, l.Addr().String())
		fmt.Fprintf(c, "set k%d 0 0 1\r\n%d\r\nget k%d\r\n", i, i%10, i)
		expect(t, c, fmt.Sprintf("STORED\r\nVALUE k%d 0 1\r\n%d\r\nEND\r\n", i, i%10))
	}
}
