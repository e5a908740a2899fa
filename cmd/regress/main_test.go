package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestBadFloorsFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "floors.txt")
	os.WriteFile(path, []byte("get128b-latency memcached/plib-pku >> 10\n"), 0o644)
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-floors", path}, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), "line 1") {
		t.Errorf("exit %d, stderr %q; want 2 naming the line", code, stderr.String())
	}
	os.WriteFile(path, []byte("# scaling\nwriteheavy-throughput plib-nopku@2/plib-nopku >= 1.5\n"), 0o644)
	if code := run([]string{"-floors", path}, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), "line 2") ||
		!strings.Contains(stderr.String(), "needs a client-thread count on each side: BACKEND@THREADS") {
		t.Errorf("side without @THREADS: exit %d, stderr %q; want 2 naming the line and BACKEND@THREADS", code, stderr.String())
	}
	if code := run([]string{"-floors", filepath.Join(t.TempDir(), "missing")}, &stdout, &stderr); code != 2 {
		t.Errorf("missing file: exit %d, want 2", code)
	}
}

// TestFailingFloorExits1 checks the exit status and the printed ratio and floor when a floor is
// not met, on in-process backends (a Go map is not 1000 times faster than plib).
func TestFailingFloorExits1(t *testing.T) {
	path := filepath.Join(t.TempDir(), "floors.txt")
	os.WriteFile(path, []byte("get128b-latency plib-nopku/gomap >= 1000\n"), 0o644)
	var stdout, stderr bytes.Buffer
	code := run([]string{"-floors", path, "-samples", "100"}, &stdout, &stderr)
	if code != 1 || !strings.Contains(stdout.String(), "FAIL     get128b-latency plib-nopku/gomap >= 1000") || !strings.Contains(stdout.String(), "floor >= 1000") {
		t.Errorf("exit %d; stdout:\n%s\nstderr:\n%s", code, stdout.String(), stderr.String())
	}
}
