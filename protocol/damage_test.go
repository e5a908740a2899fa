package protocol

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/plibcached/plibcached/plib"
)

// TestDamagedSegmentServesOn: another process rewrites a word of the store's header (the
// hash table's power) in the segment plibd serves. Every command that needs the table
// gets SERVER_ERROR and the damage is logged, but the connection stays open, commands
// that need no table (version, stats) are answered, and once the word is put back every
// value is there. Before the store treated the segment as untrusted, the first get
// faulted and the whole daemon died.
func TestDamagedSegmentServesOn(t *testing.T) {
	dir := t.TempDir()
	seg, sock := filepath.Join(dir, "seg"), filepath.Join(dir, "plibd.sock")
	client, err := plib.Open(seg, plib.Options{Size: 64 << 20, MaxClients: 8, Protection: plib.ModeNoPKU})
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	var mu sync.Mutex
	var logged []string
	be := NewPlibBackend(client, 2, nil)
	defer be.Close()
	srv := NewServer(be, Config{Logf: func(f string, a ...any) {
		mu.Lock()
		logged = append(logged, fmt.Sprintf(f, a...))
		mu.Unlock()
	}})
	defer srv.Close()
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	nc := dial(t, sock)
	defer nc.Close()
	rd := bufio.NewReader(nc)
	say := func(cmd string, lines int) string {
		t.Helper()
		fmt.Fprint(nc, cmd)
		var b strings.Builder
		for range lines {
			line, err := rd.ReadString('\n')
			if err != nil {
				t.Fatalf("%q: %v (after %q)", cmd, err, b.String())
			}
			b.WriteString(line)
		}
		return b.String()
	}
	for i := range 20 {
		if r := say(fmt.Sprintf("set k%d 0 0 2\r\nv%d\r\n", i, i%10), 1); r != "STORED\r\n" {
			t.Fatalf("set: %q", r)
		}
	}

	// The word: kv's hHashPower (kv/layout.go), in the kv region that starts at the
	// offset plib's header keeps at byte 24 (plib/segment.go, sKVOff).
	f, err := os.OpenFile(seg, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	mem, err := syscall.Mmap(int(f.Fd()), 0, 64<<20, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED)
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Munmap(mem)
	word := binary.LittleEndian.Uint64(mem[24:]) + 260
	saved := binary.LittleEndian.Uint32(mem[word:])
	binary.LittleEndian.PutUint32(mem[word:], 40)

	if r := say("get k1\r\n", 1); !strings.HasPrefix(r, "SERVER_ERROR") || !strings.Contains(r, "corrupt") {
		t.Errorf("get on a damaged table: %q, want SERVER_ERROR naming the damage", r)
	}
	if r := say("set k1 0 0 1\r\nx\r\n", 1); !strings.HasPrefix(r, "SERVER_ERROR") {
		t.Errorf("set on a damaged table: %q, want SERVER_ERROR", r)
	}
	if r := say("version\r\n", 1); !strings.HasPrefix(r, "VERSION ") {
		t.Errorf("version on a damaged segment: %q", r)
	}
	mu.Lock()
	if len(logged) == 0 || !strings.Contains(logged[0], "corrupt") {
		t.Errorf("the damage was not logged: %q", logged)
	}
	mu.Unlock()

	binary.LittleEndian.PutUint32(mem[word:], saved)
	for i := range 20 {
		want := fmt.Sprintf("VALUE k%d 0 2\r\nv%d\r\nEND\r\n", i, i%10)
		if r := say(fmt.Sprintf("get k%d\r\n", i), 3); r != want {
			t.Fatalf("after repair, get k%d: %q, want %q", i, r, want)
		}
	}
}
