package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/plibcached/plibcached/harness"
	"github.com/plibcached/plibcached/workloads"
)

// executeMulti runs a benchmark in -processes processes of -threads threads each, on one
// shared store: this process loads the records (if asked) into a plib segment or LMDB file, or
// into the memcached or redis server it starts, starts one child per process for the run
// phase, then merges the children's histograms into one result, as if one process had run all
// the threads.
func executeMulti(ctx context.Context, o options, stdout, stderr io.Writer) error {
	if o.threads == 0 {
		o.threads = 1
	}
	if o.command == "load" {
		return errors.New("-processes applies to run and loadrun; load into a -segment with one process")
	}
	if !sharesFile(o.db) {
		return executeMultiServer(ctx, o, stdout, stderr)
	}
	if o.segment == "" {
		o.segment = filepath.Join("/dev/shm", fmt.Sprintf("plibcached-ycsb-%d", os.Getpid()))
		defer harness.RemoveLMDB(o.segment) // the file and, for LMDB, its lock file
	}
	// Load (reported for loadrun) in this process; the children only run.
	parent := o
	parent.processes, parent.command = 1, "load"
	if o.command == "run" {
		parent.resultsDir, parent.quiet = "", true
		fmt.Fprintf(stderr, "ycsb: loading the shared segment %s first (untimed here; use loadrun to report it)\n", o.segment)
		if err := execute(ctx, parent, io.Discard, stderr); err != nil {
			return err
		}
	} else if err := execute(ctx, parent, stdout, stderr); err != nil {
		return err
	}
	return runAndReport(ctx, o, o.segment, stdout, stderr)
}

// sharesFile reports whether backend db's processes share a file (plib's segment, LMDB's
// environment) rather than a server.
func sharesFile(db string) bool { return strings.HasPrefix(db, "plib-") || db == "lmdb" }

// executeMultiServer is executeMulti for a server backend: this process starts the server and
// loads it (reporting the load for loadrun), and the children attach to it.
func executeMultiServer(ctx context.Context, o options, stdout, stderr io.Writer) error {
	parent := o
	parent.processes, parent.command = 1, "load"
	props, _, err := workloads.LoadProperties(o.propertyFiles, o.overrides)
	if err != nil {
		return fmt.Errorf("%w: %w", harness.ErrInvalidOptions, err)
	}
	bench, err := harness.Prepare(harness.Options{Backend: o.db, Properties: props, Workload: o.workloadName(),
		Threads: o.threads * o.processes, ServerThreads: o.serverThreads, Seed: o.seed, MemcachedBinary: o.memcached,
		Machine: o.machine, Log: func(format string, args ...any) { fmt.Fprintf(stderr, "ycsb: "+format+"\n", args...) }})
	if err != nil {
		return err
	}
	defer bench.Close()
	_, attach, ok := bench.SharedStore()
	if !ok {
		return fmt.Errorf("%w: %s has no store other processes can reach", harness.ErrInvalidOptions, o.db)
	}
	if o.command == "run" {
		parent.resultsDir = ""
		fmt.Fprintf(stderr, "ycsb: loading the shared server %s first (untimed here; use loadrun to report it)\n", attach)
		if _, err := bench.Load(ctx); err != nil {
			return err
		}
	} else if err := phase(ctx, "load", bench.Load, parent, stdout, stderr); err != nil {
		return err
	}
	o.attach = attach
	return runAndReport(ctx, o, attach, stdout, stderr)
}

// runAndReport runs the children on the shared store (named by where) and reports the merge.
func runAndReport(ctx context.Context, o options, where string, stdout, stderr io.Writer) error {
	parts, err := runChildren(ctx, o, stderr)
	if err != nil {
		return err
	}
	merged, err := harness.MergeResults(parts)
	if err != nil {
		return err
	}
	if o.command == "loadrun" {
		fmt.Fprintln(stdout, "# run phase")
	}
	fmt.Fprintf(stderr, "ycsb: run phase: %d processes x %d threads on %s, histograms merged\n", o.processes, o.threads, where)
	if err := harness.WriteYCSBReport(stdout, merged); err != nil {
		return err
	}
	if o.resultsDir == "" {
		return nil
	}
	jsonPath, csvPath, err := harness.WriteResultFiles(o.resultsDir, merged)
	if err != nil {
		return fmt.Errorf("write results: %w", err)
	}
	fmt.Fprintf(stderr, "ycsb: run results: %s, %s\n", jsonPath, csvPath)
	return nil
}

// runChildren starts the run-phase children and collects their results.
func runChildren(ctx context.Context, o options, stderr io.Writer) ([]*harness.Result, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "ycsb-parts-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	cmds := make([]*exec.Cmd, o.processes)
	for i := range cmds {
		args := childArgs(o, i, filepath.Join(dir, strconv.Itoa(i)+".json"))
		cmds[i] = exec.CommandContext(ctx, self, args...)
		cmds[i].Stdout, cmds[i].Stderr = stderr, stderr
		if err := cmds[i].Start(); err != nil {
			return nil, err
		}
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
	parts := make([]*harness.Result, o.processes)
	for i := range parts {
		f, err := os.Open(filepath.Join(dir, strconv.Itoa(i)+".json"))
		if err != nil {
			return nil, err
		}
		parts[i], err = harness.ReadResultJSON(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("process %d's result: %w", i, err)
		}
	}
	return parts, nil
}

// childArgs is the command line of child i: the parent's workload and flags, the run
// command, its place in the run, and where to put its result.
func childArgs(o options, i int, out string) []string {
	args := []string{"run", "-db", o.db, "-threads", strconv.Itoa(o.threads),
		"-processes", strconv.Itoa(o.processes), "-process-index", strconv.Itoa(i),
		"-segment", o.segment, "-attach", o.attach, "-result-out", out, "-q", "-results", "",
		"-seed", strconv.FormatInt(o.seed, 10), "-server-threads", strconv.Itoa(o.serverThreads)}
	if o.duration > 0 {
		args = append(args, "-duration", o.duration.String())
	}
	if o.warmup > 0 {
		args = append(args, "-warmup", o.warmup.String())
	}
	if o.machine != "" {
		args = append(args, "-machine", o.machine)
	}
	for _, p := range o.propertyFiles {
		args = append(args, "-P", p)
	}
	for _, p := range o.overrides {
		args = append(args, "-p", p)
	}
	return args
}

// runChildPhase is a child's run phase: run, and write the result for the parent.
func runChildPhase(ctx context.Context, bench *harness.Benchmark, out string) error {
	result, err := bench.Run(ctx)
	if err != nil {
		return err
	}
	result.Processes = 1 // this part is one process; the parent adds them up
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	if err := harness.WriteResultJSON(f, result); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
