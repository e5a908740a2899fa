package harness

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"syscall"
	"time"

	"github.com/plibcached/plibcached/workloads"
)

// childEnv carries a child's ProcessSpec, as JSON, from RunProcesses to RunChildIfAsked.
const childEnv = "PLIBCACHED_HARNESS_CHILD"

// childStartDelay is how far ahead of spawning the children their common start is set: time for
// each to start, attach and connect, so that every process measures the same window.
const childStartDelay = 750 * time.Millisecond

// ProcessSpec is a run phase split over processes: Threads client threads in all, over
// Processes processes of Threads/Processes each, on the store that the calling process has
// opened and loaded (a plib segment or LMDB file named by Segment, or a server named by
// Attach).
type ProcessSpec struct {
	Backend       string               `json:"backend"`
	Properties    workloads.Properties `json:"properties"`
	Workload      string               `json:"workload"`
	Threads       int                  `json:"threads"`
	Processes     int                  `json:"processes"`
	Segment       string               `json:"segment,omitempty"`
	Attach        string               `json:"attach,omitempty"`
	ServerThreads int                  `json:"server_threads,omitempty"`
	Duration      time.Duration        `json:"duration"`
	Warmup        time.Duration        `json:"warmup"`
	Seed          int64                `json:"seed"`
	Machine       string               `json:"machine,omitempty"`
}

// childSpec is one child's part: its index, the common start and where its result goes.
type childSpec struct {
	ProcessSpec
	Index   int       `json:"index"`
	StartAt time.Time `json:"start_at"`
	Out     string    `json:"out"`
}

// RunProcesses runs spec's run phase in spec.Processes child processes of this executable, which
// must call RunChildIfAsked first thing in main. The children prepare, wait for a common start,
// run their threads' shares (as Options.ThreadBase describes) and write their results; the
// parts are merged as MergeResults does (histograms merged, operations summed). The merged
// result's Threads is the threads of one process and Processes their number.
func RunProcesses(ctx context.Context, spec ProcessSpec) (*Result, error) {
	if spec.Processes < 1 || spec.Threads < spec.Processes || spec.Threads%spec.Processes != 0 {
		return nil, fmt.Errorf("%w: %d threads do not split evenly over %d processes", ErrInvalidOptions, spec.Threads, spec.Processes)
	}
	if spec.Duration <= 0 {
		return nil, fmt.Errorf("%w: a multi-process run is bounded by a duration", ErrInvalidOptions)
	}
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "plibcached-parts-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	// Pdeathsig fires when the forking thread exits: keep this goroutine on one thread until
	// the children are reaped, so that they die with this process and only then.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	start := time.Now().Add(childStartDelay)
	cmds := make([]*exec.Cmd, spec.Processes)
	for i := range cmds {
		raw, err := json.Marshal(childSpec{ProcessSpec: spec, Index: i, StartAt: start, Out: filepath.Join(dir, strconv.Itoa(i)+".json")})
		if err != nil {
			return nil, err
		}
		cmd := exec.CommandContext(ctx, self)
		cmd.Env = append(os.Environ(), childEnv+"="+string(raw))
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL} // dies with the harness
		if err := cmd.Start(); err != nil {
			killAll(cmds[:i])
			return nil, fmt.Errorf("start process %d: %w", i, err)
		}
		cmds[i] = cmd
	}
	var errs []error
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			errs = append(errs, fmt.Errorf("process %d: %w", i, err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	parts := make([]*Result, spec.Processes)
	for i := range parts {
		if parts[i], err = readPart(filepath.Join(dir, strconv.Itoa(i)+".json")); err != nil {
			return nil, fmt.Errorf("process %d's result: %w", i, err)
		}
	}
	return MergeResults(parts)
}

// killAll kills the children already started.
func killAll(cmds []*exec.Cmd) {
	for _, c := range cmds {
		c.Process.Kill()
		c.Wait()
	}
}

// readPart reads one child's result.
func readPart(path string) (*Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadResultJSON(f)
}

// RunChildIfAsked runs this process as a child of RunProcesses when it was started as one, and
// then exits (status 0, or 1 with the error on standard error); otherwise it returns at once.
// Mains whose code calls RunProcesses call it first.
func RunChildIfAsked() {
	raw, ok := os.LookupEnv(childEnv)
	if !ok {
		return
	}
	if err := runChild(raw); err != nil {
		fmt.Fprintf(os.Stderr, "harness child: %v\n", err)
		os.Exit(1)
	}
	os.Exit(0)
}

// runChild prepares the child's threads on the shared store, waits for the common start, runs
// and writes its result.
func runChild(raw string) error {
	var c childSpec
	if err := json.Unmarshal([]byte(raw), &c); err != nil {
		return fmt.Errorf("%s: %w", childEnv, err)
	}
	per := c.Threads / c.Processes
	b, err := Prepare(Options{
		Backend: c.Backend, Properties: c.Properties, Workload: c.Workload, Threads: per,
		Processes: c.Processes, ThreadBase: c.Index * per, TotalThreads: c.Threads,
		Segment: c.Segment, Attach: c.Attach, ServerThreads: c.ServerThreads,
		Duration: c.Duration, Warmup: c.Warmup, Seed: c.Seed, Machine: c.Machine,
	})
	if err != nil {
		return err
	}
	defer b.Close()
	if b.NeedsLoad() {
		return fmt.Errorf("%w: %s in a child process does not share the parent's store (no Segment or Attach)", ErrInvalidOptions, c.Backend)
	}
	time.Sleep(time.Until(c.StartAt))
	res, err := b.Run(context.Background())
	if err != nil {
		return err
	}
	res.Processes = 1 // this part is one process; MergeResults adds them up
	f, err := os.Create(c.Out)
	if err != nil {
		return err
	}
	if err := WriteResultJSON(f, res); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// SharedStore returns what the processes of a multi-process run need to reach b's store: the
// Attach string of a server backend, or "" with the Segment b was opened on. ok is false for a
// backend whose store no other process can reach (gomap, a private segment).
func (b *Benchmark) SharedStore() (segment, attach string, ok bool) {
	if a, isServer := b.backend.(Attachable); isServer {
		return "", a.Attachment(), true
	}
	if b.opts.Segment != "" {
		return b.opts.Segment, "", true
	}
	return "", "", false
}
