package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMultiProcessRun: -processes 3 runs the run phase in three child processes on one
// segment and merges their histograms: the report counts every child's operations, and
// the result says three processes of two threads.
func TestMultiProcessRun(t *testing.T) {
	t.Setenv("YCSB_TEST_MAIN", "1") // the children are this test binary, as ycsb
	dir := t.TempDir()
	code, stdout, stderr := ycsb(t, append([]string{"loadrun", "-db", "plib-nopku", "-threads", "2", "-processes", "3",
		"-results", dir}, small...)...)
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if !strings.Contains(stdout, "[READ], Return=OK") || !strings.Contains(stderr, "3 processes x 2 threads") {
		t.Fatalf("report:\n%s\nstderr:\n%s", stdout, stderr)
	}
	runs, _ := filepath.Glob(filepath.Join(dir, "ycsb-run-*.json"))
	if len(runs) != 1 {
		t.Fatalf("run results: %v", runs)
	}
	b, err := os.ReadFile(runs[0])
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		Processes, Threads int
		Operations         int64
	}
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	if r.Processes != 3 || r.Threads != 2 || r.Operations != 5000 {
		t.Fatalf("merged result: %d processes x %d threads, %d operations; want 3 x 2, 5000", r.Processes, r.Threads, r.Operations)
	}
	if leftovers, _ := filepath.Glob("/dev/shm/plibcached-ycsb-*"); len(leftovers) > 0 {
		t.Errorf("segments left behind: %v", leftovers)
	}
}

func TestMultiProcessNeedsPlib(t *testing.T) {
	code, _, stderr := ycsb(t, append([]string{"run", "-db", "gomap", "-processes", "2"}, small...)...)
	if code == exitOK || !strings.Contains(stderr, "plib") {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
}

// TestMultiProcessPeers: LMDB shares its file and memcached/redis their one server between the
// processes of a -processes run, as plib shares its segment; every child's operations count.
func TestMultiProcessPeers(t *testing.T) {
	t.Setenv("YCSB_TEST_MAIN", "1")
	for _, db := range []string{"lmdb", "memcached", "redis"} {
		t.Run(db, func(t *testing.T) {
			dir := t.TempDir()
			code, stdout, stderr := ycsb(t, append([]string{"loadrun", "-db", db, "-threads", "1", "-processes", "2",
				"-server-threads", "2", "-results", dir}, small...)...)
			if code != exitOK && strings.Contains(stderr, "unavailable") {
				t.Skipf("%s unavailable: %s", db, stderr)
			}
			if code != exitOK {
				t.Fatalf("exit %d\n%s", code, stderr)
			}
			if !strings.Contains(stdout, "[READ], Return=OK") || !strings.Contains(stderr, "2 processes x 1 threads") {
				t.Fatalf("report:\n%s\nstderr:\n%s", stdout, stderr)
			}
			if strings.Contains(stdout, "NOT_FOUND") {
				t.Errorf("children missed records the parent loaded:\n%s", stdout)
			}
		})
	}
	if leftovers, _ := filepath.Glob("/dev/shm/plibcached-ycsb-*"); len(leftovers) > 0 {
		t.Errorf("files left behind: %v", leftovers)
	}
}
