package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/plibcached/plibcached/harness"
)

// options is the parsed command line.
type options struct {
	latency    harness.LatencyOptions
	resultsDir string
	quiet      bool
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run parses args, measures, prints and writes the table, and returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	o, err := parseArgs(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "latency: %v\n", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if !o.quiet {
		o.latency.Progress = stderr
		o.latency.Log = func(format string, args ...any) { fmt.Fprintf(stderr, "latency: "+format+"\n", args...) }
	}
	table, err := harness.MeasureLatency(ctx, o.latency)
	switch {
	case err != nil && ctx.Err() != nil:
		fmt.Fprintf(stderr, "latency: interrupted: %v\n", err)
		return 130
	case errors.Is(err, harness.ErrInvalidOptions), errors.Is(err, harness.ErrInsufficientMemory):
		fmt.Fprintf(stderr, "latency: %v\n", err)
		return 2
	case err != nil:
		fmt.Fprintf(stderr, "latency: %v\n", err)
		return 1
	}
	if err := table.Render(stdout); err != nil {
		fmt.Fprintf(stderr, "latency: %v\n", err)
		return 1
	}
	if o.resultsDir != "" {
		paths, err := harness.WriteLatencyFiles(o.resultsDir, table)
		if err != nil {
			fmt.Fprintf(stderr, "latency: write results: %v\n", err)
			return 1
		}
		fmt.Fprintf(stderr, "latency: results: %s\n", strings.Join(paths, ", "))
	}
	return 0
}

// parseArgs parses the flags into options.
func parseArgs(args []string, stderr io.Writer) (options, error) {
	var o options
	l := &o.latency
	fs := flag.NewFlagSet("latency", flag.ContinueOnError)
	fs.SetOutput(stderr)
	backends := fs.String("backends", strings.Join(harness.DefaultLatencyBackends, ","), "columns, comma-separated (registered: "+strings.Join(harness.Names(), ", ")+")")
	speedup := fs.String("speedup-vs", "plib-pku,plib-nopku", "speedup column: memcached mean over the first measured of these")
	fs.Int64Var(&l.Records, "records", 100000, "preloaded records with 128 B values")
	fs.Int64Var(&l.LargeRecords, "large-records", 0, "preloaded records with 5 KB values (default: records/10)")
	fs.IntVar(&l.Samples, "samples", 10000, "timed samples per cell")
	fs.IntVar(&l.BatchSize, "batch", 32, "operations per timed batch for operations under -batch-below")
	fs.DurationVar(&l.BatchBelow, "batch-below", 2*time.Microsecond, "time operations faster than this in batches")
	fs.IntVar(&l.ServerThreads, "server-threads", 4, "memcached server threads (-t)")
	fs.StringVar(&l.MemcachedBinary, "memcached", "", "memcached binary (default: PATH, /usr/bin, /usr/local/bin)")
	fs.StringVar(&l.Machine, "machine", "", "free-form machine label recorded with the results")
	fs.Int64Var(&l.Seed, "seed", 1, "key-choice seed")
	fs.StringVar(&o.resultsDir, "results", "results", `directory for CSV, Markdown and JSON ("" to write none)`)
	fs.BoolVar(&o.quiet, "q", false, "no progress or notices on stderr")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if l.Records < 1 || l.Samples < 1 || l.BatchSize < 1 || l.ServerThreads < 1 || l.LargeRecords < 0 || l.BatchBelow < 0 {
		return o, errors.New("-records, -samples, -batch and -server-threads must be positive; -large-records and -batch-below not negative")
	}
	l.Backends = splitList(*backends)
	l.SpeedupOver = splitList(*speedup)
	if len(l.Backends) == 0 {
		return o, errors.New("-backends is empty")
	}
	for _, name := range l.Backends {
		if !harness.Registered(name) && !isKnownFuture(name) {
			return o, fmt.Errorf("unknown backend %q: registered backends are %s", name, strings.Join(harness.Names(), ", "))
		}
	}
	return o, nil
}

// isKnownFuture reports names the table knows even in builds that do not register them: they
// become skipped columns rather than typos.
func isKnownFuture(name string) bool {
	for _, known := range harness.DefaultLatencyBackends {
		if name == known {
			return true
		}
	}
	return false
}

// splitList splits a comma-separated list, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, item := range strings.Split(s, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}
