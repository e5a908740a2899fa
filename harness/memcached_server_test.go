package harness_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/plibcached/plibcached/harness"
)

func TestMemcachedServerLifecycle(t *testing.T) {
	if _, err := harness.FindMemcached(""); err != nil {
		t.Skipf("skipping: %v", err)
	}
	version, err := harness.MemcachedVersion("")
	if err != nil || !strings.HasPrefix(version, "memcached ") {
		t.Fatalf("MemcachedVersion = %q, %v", version, err)
	}
	for _, unix := range []bool{false, true} {
		s, err := harness.StartMemcached(harness.MemcachedOptions{Threads: 2, MemoryMB: 16, UnixSocket: unix})
		if err != nil {
			t.Fatal(err)
		}
		args := strings.Join(s.Args(), " ")
		for _, want := range []string{"-t 2", "-m 16", "-U 0", "-M"} {
			if !strings.Contains(args, want) {
				t.Errorf("server flags %q lack %q", args, want)
			}
		}
		if unix && (s.Network() != "unix" || !strings.Contains(args, "-s "+s.Addr())) {
			t.Errorf("unix server: network %s, flags %q", s.Network(), args)
		}
		if err := s.Stop(); err != nil {
			t.Fatalf("Stop: %v", err)
		}
		if err := s.Stop(); err != nil {
			t.Fatalf("second Stop: %v", err)
		}
		if err := syscall.Kill(s.Pid(), 0); !errors.Is(err, syscall.ESRCH) {
			t.Errorf("memcached pid %d after Stop: kill(0) = %v, want ESRCH", s.Pid(), err)
		}
		if unix {
			if _, err := os.Stat(filepath.Dir(s.Addr())); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("socket directory %s left behind: %v", filepath.Dir(s.Addr()), err)
			}
		}
	}
}

func TestMemcachedThatCannotStartIsReported(t *testing.T) {
	if _, err := harness.FindMemcached(""); err != nil {
		t.Skipf("skipping: %v", err)
	}
	// /bin/false stands in for a memcached that exits at once.
	_, err := harness.StartMemcached(harness.MemcachedOptions{Binary: "/bin/false"})
	if !errors.Is(err, harness.ErrServerNotReady) {
		t.Fatalf("a server that exits at once: err = %v, want ErrServerNotReady", err)
	}
}

func TestProgressLinesWhenNotATerminal(t *testing.T) {
	var progress bytes.Buffer
	b := prepareOrSkip(t, harness.Options{Backend: "gomap", Properties: properties(t, smallWorkload...), Threads: 2, Progress: &progress})
	if _, err := b.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	out := progress.String()
	for _, want := range []string{"load: done, 10000 records in ", "run: done, 20000 ops in "} {
		if !strings.Contains(out, want) {
			t.Errorf("progress output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\r") || strings.Contains(out, "\x1b") {
		t.Errorf("progress to a non-terminal contains terminal controls: %q", out)
	}
}
