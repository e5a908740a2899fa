package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/plibcached/plibcached/harness"
)

// TestMain lets a test run this binary as the ycsb command: with YCSB_TEST_MAIN=1 in its
// environment, the test binary is ycsb.
func TestMain(m *testing.M) {
	if os.Getenv("YCSB_TEST_MAIN") == "1" {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// small is a quick workload: 10,000 records, reads and updates, uniform keys.
var small = []string{"-p", "recordcount=10000", "-p", "operationcount=5000", "-p", "requestdistribution=uniform",
	"-p", "readproportion=0.9", "-p", "updateproportion=0.1", "-q"}

// ycsb runs the command in-process and returns its exit status, stdout and stderr.
func ycsb(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := run(args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// memcachedOrSkip skips the test when memcached is not installed.
func memcachedOrSkip(t *testing.T) {
	t.Helper()
	if _, err := harness.FindMemcached(""); err != nil {
		t.Skipf("skipping: %v", err)
	}
}

// reportLine matches every line of YCSB's report format.
var reportLine = regexp.MustCompile(`^\[(OVERALL|READ|UPDATE|INSERT|READ-MODIFY-WRITE)\], (RunTime\(ms\)|Throughput\(ops/sec\)|Operations|AverageLatency\(us\)|MinLatency\(us\)|MaxLatency\(us\)|(50|95|99)thPercentileLatency\(us\)|Return=OK), [0-9]+(\.[0-9]+)?$`)

func TestLoadRunPrintsYCSBReportAndWritesResults(t *testing.T) {
	dir := t.TempDir()
	code, stdout, stderr := ycsb(t, append([]string{"loadrun", "-db", "gomap", "-threads", "2", "-results", dir}, small...)...)
	if code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	var sections []string
	for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
		if strings.HasPrefix(line, "#") {
			sections = append(sections, line)
			continue
		}
		if !reportLine.MatchString(line) {
			t.Errorf("not a YCSB report line: %q", line)
		}
	}
	for _, want := range []string{"[INSERT], Operations, 10000", "[INSERT], Return=OK, 10000", "[READ], 99thPercentileLatency(us), ", "[UPDATE], Return=OK, "} {
		if !strings.Contains(stdout, want) {
			t.Errorf("report lacks %q:\n%s", want, stdout)
		}
	}
	if len(sections) != 2 {
		t.Errorf("loadrun printed sections %q, want load and run", sections)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "ycsb-*"))
	if len(files) != 4 {
		t.Errorf("results files %q, want JSON and CSV for load and run", files)
	}
}

func TestRunAgainstFreshMemcachedLoadsFirst(t *testing.T) {
	memcachedOrSkip(t)
	code, stdout, stderr := ycsb(t, append([]string{"run", "-db", "memcached-unix", "-threads", "2", "-server-threads", "2", "-results", ""}, small...)...)
	if code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "starts empty in every process: loading 10000 records first") {
		t.Errorf("run did not say it loads first; stderr:\n%s", stderr)
	}
	if !strings.Contains(stdout, "[OVERALL], Throughput(ops/sec), ") || strings.Contains(stdout, "[INSERT]") {
		t.Errorf("run should report the run only:\n%s", stdout)
	}
}

func TestBadInput(t *testing.T) {
	avail, err := harness.MemAvailable()
	if err != nil {
		t.Skip("no /proc/meminfo")
	}
	huge := fmt.Sprintf("recordcount=%d", avail/100)
	cases := []struct {
		args []string
		want string
	}{
		{nil, "missing command"},
		{[]string{"bogus", "-db", "gomap"}, "unknown command"},
		{[]string{"run"}, "-db is required"},
		{[]string{"run", "-db", "nope"}, "registered backends are"},
		{[]string{"run", "-db", "memcached", "-memcached", "/nonexistent/memcached"}, "apt-get install -y memcached"},
		{[]string{"load", "-db", "gomap", "-p", huge, "-p", "requestdistribution=uniform"}, "needs an estimated"},
		{[]string{"load", "-db", "memcached", "-p", huge, "-p", "requestdistribution=uniform"}, "needs an estimated"},
		{[]string{"run", "-db", "gomap", "-p", "recordcount=abc"}, "recordcount"},
		{[]string{"run", "-db", "gomap", "-P", "/nonexistent/workload"}, "/nonexistent/workload"},
		{[]string{"run", "-db", "gomap", "-p", "scanproportion=1", "-p", "readproportion=0", "-p", "updateproportion=0"}, "scan"},
		{[]string{"run", "-db", "gomap", "-threads", "-3"}, "-threads"},
		{[]string{"run", "-db", "gomap", "-p", "recordcount=10"}, "operationcount must be at least 1"},
		{[]string{"run", "-db", "gomap"}, "needs an estimated"}, // YCSB's recordcount=0 means 2^31-1 records
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			if strings.Contains(c.want, "estimated") && strings.Contains(strings.Join(c.args, " "), "memcached") {
				memcachedOrSkip(t)
			}
			code, _, stderr := ycsb(t, append(c.args, "-results", "")...)
			if code == exitOK || !strings.Contains(strings.ToLower(stderr), strings.ToLower(c.want)) {
				t.Fatalf("exit %d, stderr %q; want a failure saying %q", code, stderr, c.want)
			}
		})
	}
}

// startYCSB starts this test binary as ycsb running a long memcached run, and returns it with the
// pid of the memcached it started.
func startYCSB(t *testing.T) (*exec.Cmd, int) {
	t.Helper()
	memcachedOrSkip(t)
	cmd := exec.Command(os.Args[0], "run", "-db", "memcached", "-threads", "2", "-server-threads", "2",
		"-p", "recordcount=2000", "-duration", "1h", "-results", "", "-progress", "100ms")
	cmd.Env = append(os.Environ(), "YCSB_TEST_MAIN=1")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	pidLine := regexp.MustCompile(`memcached started: pid (\d+)`)
	lines := bufio.NewScanner(stderr)
	pid := 0
	for pid == 0 && lines.Scan() {
		if m := pidLine.FindStringSubmatch(lines.Text()); m != nil {
			pid, _ = strconv.Atoi(m[1])
		}
	}
	for lines.Scan() { // wait until the run phase is under way
		if strings.HasPrefix(lines.Text(), "run: ") {
			break
		}
	}
	go func() {
		for lines.Scan() {
		}
	}()
	if pid == 0 {
		t.Fatal("ycsb never reported its memcached's pid")
	}
	return cmd, pid
}

// waitDead waits until pid has exited: gone, or a zombie nobody has reaped yet.
func waitDead(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if errors.Is(err, os.ErrNotExist) {
			return
		}
		// The state follows the parenthesised command name: "pid (comm) S ...".
		if i := bytes.LastIndexByte(stat, ')'); i >= 0 && len(stat) > i+2 && stat[i+2] == 'Z' {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	syscall.Kill(pid, syscall.SIGKILL)
	t.Fatalf("memcached (pid %d) still running after ycsb ended", pid)
}

func TestInterruptStopsMemcached(t *testing.T) {
	cmd, pid := startYCSB(t)
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != exitInterrupted {
		t.Fatalf("ycsb after SIGINT: %v, want exit status %d", err, exitInterrupted)
	}
	waitDead(t, pid)
}

func TestKilledHarnessTakesMemcachedAlong(t *testing.T) {
	cmd, pid := startYCSB(t)
	if err := cmd.Process.Kill(); err != nil { // SIGKILL: no deferred Stop runs; Pdeathsig must
		t.Fatal(err)
	}
	cmd.Wait()
	waitDead(t, pid)
}
