package main

import (
	"github.com/plibcached/plibcached/plib"

	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

// latency runs the command in-process and returns its exit status, stdout and stderr.
func latency(args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := run(args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestTableWithSkippedColumn(t *testing.T) {
	dir := t.TempDir()
	if plib.PKUSupported() == nil {
		t.Skip("this machine has PKU, so plib-pku is measured: no column to skip")
	}
	code, stdout, stderr := latency("-backends", "gomap,plib-pku", "-records", "1000", "-samples", "50", "-results", dir, "-q")
	if code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	for _, want := range []string{"Get 128B", "Increment", "gomap", "plib-pku (skipped)", "Skipped plib-pku: harness: backend unavailable", "PKU", "Clock: time.Now()"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	for _, ext := range []string{"csv", "md", "json"} {
		if files, _ := filepath.Glob(filepath.Join(dir, "latency-*."+ext)); len(files) != 1 {
			t.Errorf("%s files in results: %q", ext, files)
		}
	}
}

func TestBadInput(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"-backends", "gomap,nope"}, "unknown backend"},
		{[]string{"-backends", ""}, "empty"},
		{[]string{"-backends", "gomap", "-records", "-5"}, "must be positive"},
		{[]string{"-backends", "gomap", "-samples", "0", "-records", "10"}, "must be positive"},
		{[]string{"-bogus"}, "flag provided but not defined"},
	}
	for _, c := range cases {
		code, _, stderr := latency(append(c.args, "-q", "-results", "")...)
		if code == 0 || !strings.Contains(stderr, c.want) {
			t.Errorf("latency %q: exit %d, stderr %q; want a failure saying %q", c.args, code, stderr, c.want)
		}
	}
}
