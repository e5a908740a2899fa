package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestNoRuns(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-results", t.TempDir()}, &stdout, &stderr); code != 1 || !strings.Contains(stderr.String(), "no runs") {
		t.Errorf("exit %d, stderr %q; want 1 and 'no runs'", code, stderr.String())
	}
}

func TestFindRuns(t *testing.T) {
	root := t.TempDir()
	for _, d := range []string{"a/throughput", "b/latency", "c/other"} {
		os.MkdirAll(filepath.Join(root, d), 0o755)
	}
	os.WriteFile(filepath.Join(root, "d"), nil, 0o644)
	if got := findRuns(root); strings.Join(got, ",") != "a,b" {
		t.Errorf("findRuns = %q, want a,b", got)
	}
}

func TestEmptyRunFails(t *testing.T) {
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "x", "throughput"), 0o755)
	var stdout, stderr bytes.Buffer
	if code := run([]string{"-results", root, "-plots", t.TempDir(), "-run", "x"}, &stdout, &stderr); code != 1 || !strings.Contains(stderr.String(), "no results") {
		t.Errorf("exit %d, stderr %q; want 1 and 'no results'", code, stderr.String())
	}
}
