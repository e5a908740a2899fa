package main

import (
	"bufio"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/plibcached/plibcached/plib"
)

func TestMain(m *testing.M) {
	if os.Getenv("PLIBD_TEST_MAIN") == "1" {
		os.Args = append([]string{"plibd"}, os.Args[1:]...)
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func TestParseFlags(t *testing.T) {
	cfg, err := parseFlags(nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Segment != "plibd" || cfg.Listen != "127.0.0.1:11211" || cfg.Unix != "" ||
		cfg.Options.Protection != plib.ModeNoPKU || cfg.Protocol.ItemSizeMax != 1<<20 || cfg.Protocol.MaxConns != 1024 {
		t.Fatalf("defaults: %+v", cfg)
	}
	cfg, err = parseFlags([]string{"-segment", "/tmp/x", "-memory", "128", "-items", "1000", "-clients", "32",
		"-listen", "", "-unix", "/tmp/s", "-protection", "pku", "-max-item-size", "2097152"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Options.Size != 128<<20 || cfg.Options.ExpectedItems != 1000 || cfg.Options.MaxClients != 32 ||
		cfg.Listen != "" || cfg.Unix != "/tmp/s" || cfg.Options.Protection != plib.ModePKU ||
		cfg.Options.MaxItemSize != 2<<20 || cfg.Protocol.ItemSizeMax != 2<<20 {
		t.Fatalf("flags: %+v", cfg)
	}
	for _, bad := range [][]string{{"-protection", "none"}, {"extra"}, {"-nosuchflag"}} {
		if _, err := parseFlags(bad, io.Discard); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// TestSIGTERM runs the daemon in a process of its own, stores a value, stops it with
// SIGTERM and finds the value in the segment afterwards.
func TestSIGTERM(t *testing.T) {
	dir := t.TempDir()
	seg, sock := filepath.Join(dir, "seg"), filepath.Join(dir, "plibd.sock")
	cmd := exec.Command(os.Args[0], "-segment", seg, "-memory", "64", "-clients", "8", "-listen", "", "-unix", sock)
	cmd.Env = append(os.Environ(), "PLIBD_TEST_MAIN=1")
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	var c net.Conn
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		var err error
		if c, err = net.Dial("unix", sock); err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("plibd did not come up: %v", err)
		}
	}
	c.Write([]byte("set survivor 3 0 5\r\nhello\r\n"))
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil || line != "STORED\r\n" {
		t.Fatalf("set: %q %v", line, err)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("plibd exited: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("plibd did not exit on SIGTERM")
	}
	if _, err := io.ReadAll(c); err != nil {
		t.Fatalf("connection after shutdown: %v", err)
	}
	client, err := plib.Open(seg, plib.Options{Protection: plib.ModeNoPKU})
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	it, err := client.Get("survivor")
	if err != nil || string(it.Value) != "hello" || it.Flags != 3 {
		t.Fatalf("after restart: %+v %v", it, err)
	}
}

// TestItemSizeLimits: -max-item-size takes memcached's k and m suffixes and refuses what
// memcached's -I refuses at start-up (item_size_max.t).
func TestItemSizeLimits(t *testing.T) {
	for _, c := range []struct {
		args []string
		want int // 0: refused
	}{
		{[]string{"-max-item-size", "1024"}, 1024},
		{[]string{"-max-item-size", "512k"}, 512 << 10},
		{[]string{"-memory", "256", "-max-item-size", "32m"}, 32 << 20},
		{[]string{"-max-item-size", "2097152"}, 2 << 20},
		{[]string{"-max-item-size", "1000"}, 0},
		{[]string{"-max-item-size", "256m"}, 0},                      // over half of the default 256 MiB
		{[]string{"-item-memory", "64", "-max-item-size", "33m"}, 0}, // over half of -m 64
		{[]string{"-max-item-size", "2g"}, 0},
	} {
		cfg, err := parseFlags(c.args, io.Discard)
		switch {
		case c.want == 0 && err == nil:
			t.Errorf("%q accepted", c.args)
		case c.want != 0 && err != nil:
			t.Errorf("%q: %v", c.args, err)
		case c.want != 0 && (cfg.Protocol.ItemSizeMax != c.want || cfg.Options.MaxItemSize != c.want):
			t.Errorf("%q: item size %d/%d, want %d", c.args, cfg.Protocol.ItemSizeMax, cfg.Options.MaxItemSize, c.want)
		}
	}
}

// TestItemMemory: -item-memory sizes the segment for that much item memory besides its
// slots and tables (memcached's -m), and the store gets exactly those pages.
func TestItemMemory(t *testing.T) {
	cfg, err := parseFlags([]string{"-item-memory", "3", "-clients", "4"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	c, err := plib.Open(filepath.Join(t.TempDir(), "seg"), plib.Options{Size: cfg.Options.Size,
		MaxClients: cfg.Options.MaxClients, MaxItemSize: cfg.Options.MaxItemSize, Protection: plib.ModeNoPKU})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if got := c.Stats().TotalPages; got != 3 {
		t.Fatalf("segment for -item-memory 3 has %d slab pages, want 3", got)
	}
}
