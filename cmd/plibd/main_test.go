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
