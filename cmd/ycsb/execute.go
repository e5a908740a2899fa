package main

import (
	"context"
	"fmt"
	"io"

	"github.com/plibcached/plibcached/harness"
	"github.com/plibcached/plibcached/workloads"
)

// execute prepares the benchmark and runs the command's phases.
func execute(ctx context.Context, o options, stdout, stderr io.Writer) error {
	if o.processes > 1 && o.processIndex < 0 {
		return executeMulti(ctx, o, stdout, stderr)
	}
	props, warnings, err := workloads.LoadProperties(o.propertyFiles, o.overrides)
	if err != nil {
		return fmt.Errorf("%w: %w", harness.ErrInvalidOptions, err)
	}
	for _, w := range warnings {
		fmt.Fprintf(stderr, "ycsb: warning: %s\n", w)
	}
	logf := func(format string, args ...any) { fmt.Fprintf(stderr, "ycsb: "+format+"\n", args...) }
	hopts := harness.Options{
		Backend: o.db, Properties: props, Workload: o.workloadName(), Threads: o.threads,
		ServerThreads: o.serverThreads, Duration: o.duration, Warmup: o.warmup, Seed: o.seed,
		MemcachedBinary: o.memcached, Machine: o.machine, ProgressInterval: o.progressInterval, Log: logf,
		Segment: o.segment, Attach: o.attach,
	}
	if o.processIndex >= 0 { // a child of a multi-process run: threads ThreadBase.. of the total
		hopts.Processes, hopts.ThreadBase, hopts.TotalThreads = o.processes, o.processIndex*o.threads, o.processes*o.threads
	}
	if !o.quiet {
		hopts.Progress = stderr
	}
	bench, err := harness.Prepare(hopts)
	if err != nil {
		return err
	}
	defer bench.Close()
	if warning := harness.OversubscriptionWarning(bench.Threads()); warning != "" {
		fmt.Fprintf(stderr, "ycsb: %s\n", warning)
	}
	if o.command != "load" {
		if err := bench.CheckRun(); err != nil { // before loading anything
			return err
		}
	}
	if o.command == "load" || o.command == "loadrun" {
		if err := phase(ctx, "load", bench.Load, o, stdout, stderr); err != nil {
			return err
		}
		if o.command == "load" && bench.NeedsLoad() {
			logf("note: %s keeps nothing after this process exits; use loadrun to load and run together", o.db)
		}
	}
	if o.command == "run" && bench.NeedsLoad() {
		logf("%s starts empty in every process: loading %d records first (untimed here; use loadrun to report the load too)",
			o.db, bench.Workload().RecordCount)
		if _, err := bench.Load(ctx); err != nil {
			return err
		}
	}
	if o.command == "run" || o.command == "loadrun" {
		if o.resultOut != "" {
			return runChildPhase(ctx, bench, o.resultOut)
		}
		return phase(ctx, "run", bench.Run, o, stdout, stderr)
	}
	return nil
}

// phase runs one phase, prints its report and writes its results files.
func phase(ctx context.Context, name string, do func(context.Context) (*harness.Result, error), o options, stdout, stderr io.Writer) error {
	result, err := do(ctx)
	if err != nil {
		return err
	}
	if o.command == "loadrun" {
		fmt.Fprintf(stdout, "# %s phase\n", name)
	}
	if err := harness.WriteYCSBReport(stdout, result); err != nil {
		return err
	}
	for _, note := range result.Notes {
		fmt.Fprintf(stderr, "ycsb: note: %s\n", note)
	}
	if o.resultsDir == "" {
		return nil
	}
	jsonPath, csvPath, err := harness.WriteResultFiles(o.resultsDir, result)
	if err != nil {
		return fmt.Errorf("write results: %w", err)
	}
	fmt.Fprintf(stderr, "ycsb: %s results: %s, %s\n", name, jsonPath, csvPath)
	return nil
}
