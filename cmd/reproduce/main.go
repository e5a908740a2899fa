package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"github.com/plibcached/plibcached/evaluation"
	"github.com/plibcached/plibcached/harness"
)

func main() {
	harness.RunChildIfAsked() // the across-processes figure runs this binary as its client processes
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run parses args, runs the evaluation and returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	cfg, err := parseArgs(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintf(stderr, "reproduce: %v\n", err)
		return 2
	}
	cfg.Out, cfg.Progress = stdout, stderr
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	_, err = evaluation.Run(ctx, cfg)
	switch {
	case err != nil && ctx.Err() != nil:
		fmt.Fprintf(stderr, "reproduce: interrupted: %v\n", err)
		return 130
	case errors.Is(err, evaluation.ErrConfig):
		fmt.Fprintf(stderr, "reproduce: %v\n", err)
		return 2
	case err != nil:
		fmt.Fprintf(stderr, "reproduce: %v\n", err)
		return 1
	}
	return 0
}

// parseArgs parses the flags over the Full or Quick configuration.
func parseArgs(args []string, stderr io.Writer) (evaluation.Config, error) {
	quick := false
	for _, a := range args {
		if a == "-quick" || a == "--quick" || a == "-quick=true" || a == "--quick=true" {
			quick = true
		}
	}
	cfg := evaluation.Full()
	if quick {
		cfg = evaluation.Quick()
	}
	fs := flag.NewFlagSet("reproduce", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Bool("quick", false, "the quick pipeline: 1M records, 2 runs of 2 s per point, a smaller latency table")
	fs.StringVar(&cfg.Name, "run", cfg.Name, "run name: results go to RESULTS/NAME, figures to PLOTS/NAME")
	fs.StringVar(&cfg.ResultsRoot, "results", cfg.ResultsRoot, "results directory")
	fs.StringVar(&cfg.PlotsRoot, "plots", cfg.PlotsRoot, "figures directory")
	records := fs.Int64("records", cfg.Records, "record count (0: the paper's 40M if they fit in memory, else the largest round figure that does)")
	threads := fs.String("threads", "", `client-thread sweep, e.g. 1,2,4,8, or "paper" for `+joinInts(evaluation.PaperThreads)+` (default: the paper's up to twice the cores)`)
	systems := fs.String("systems", "", "systems, comma-separated, from "+systemIDs(evaluation.AllSystems())+" (default: "+systemIDs(cfg.Systems)+")")
	split := fs.String("split-systems", "", "across-processes figure: systems, comma-separated, or \"none\" (default: "+systemIDs(cfg.Split.Systems)+")")
	fs.IntVar(&cfg.Split.Repetitions, "split-reps", cfg.Split.Repetitions, "across-processes figure: runs per point")
	mixes := fs.String("mixes", "", "mixes, comma-separated (default: readheavy,writeheavy)")
	fs.IntVar(&cfg.Repetitions, "reps", cfg.Repetitions, "runs per point (error bars)")
	fs.DurationVar(&cfg.Duration, "duration", cfg.Duration, "measured time per run")
	fs.DurationVar(&cfg.Warmup, "warmup", cfg.Warmup, "unmeasured warm-up before each run")
	fs.IntVar(&cfg.LoadThreads, "load-threads", 0, "loader threads (memcached: pipelined connections; default 2 per core, at least 4)")
	fs.Int64Var(&cfg.Latency.Records, "latency-records", cfg.Latency.Records, "latency table: records with 128 B values")
	fs.IntVar(&cfg.Latency.Samples, "latency-samples", cfg.Latency.Samples, "latency table: timed samples per cell")
	latencyBackends := fs.String("latency-backends", "", "latency table columns (default: "+strings.Join(harness.DefaultLatencyBackends, ",")+")")
	fs.Int64Var(&cfg.Seed, "seed", 1, "base seed of every run")
	fs.StringVar(&cfg.Machine, "machine", "", "free-form machine label recorded with the results")
	fs.StringVar(&cfg.MemcachedBinary, "memcached", "", "memcached binary (default: PATH, /usr/bin, /usr/local/bin)")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *records != cfg.Records {
		cfg.Records, cfg.RecordsReason = *records, ""
	}
	var err error
	if cfg.Threads, err = parseThreads(*threads); err != nil {
		return cfg, err
	}
	if *systems != "" {
		if cfg.Systems, err = pickSystems(*systems); err != nil {
			return cfg, err
		}
	}
	switch *split {
	case "":
	case "none":
		cfg.Split.Systems = nil
	default:
		if cfg.Split.Systems, err = pickSystems(*split); err != nil {
			return cfg, err
		}
	}
	if cfg.Mixes, err = pickMixes(*mixes); err != nil {
		return cfg, err
	}
	if *latencyBackends != "" {
		cfg.Latency.Backends = splitList(*latencyBackends)
	}
	return cfg, nil
}

// parseThreads parses -threads: "", "paper" or a list of positive counts.
func parseThreads(s string) ([]int, error) {
	switch s {
	case "":
		return nil, nil
	case "paper":
		return evaluation.PaperThreads, nil
	}
	var out []int
	for _, item := range splitList(s) {
		n, err := strconv.Atoi(item)
		if err != nil || n < 1 {
			return nil, fmt.Errorf("-threads: %q is not a positive thread count", item)
		}
		out = append(out, n)
	}
	return out, nil
}

// pickSystems selects systems by id, in the order given.
func pickSystems(s string) ([]evaluation.System, error) {
	var out []evaluation.System
	for _, id := range splitList(s) {
		found := false
		for _, sys := range evaluation.AllSystems() {
			if sys.ID == id {
				out, found = append(out, sys), true
			}
		}
		if !found {
			return nil, fmt.Errorf("unknown system %q (known: %s)", id, systemIDs(evaluation.AllSystems()))
		}
	}
	return out, nil
}

// pickMixes selects mixes by name.
func pickMixes(s string) ([]evaluation.Mix, error) {
	if s == "" {
		return evaluation.PaperMixes, nil
	}
	var out []evaluation.Mix
	for _, name := range splitList(s) {
		found := false
		for _, m := range evaluation.PaperMixes {
			if m.Name == name {
				out, found = append(out, m), true
			}
		}
		if !found {
			return nil, fmt.Errorf("-mixes: unknown mix %q (known: readheavy, writeheavy)", name)
		}
	}
	return out, nil
}

// systemIDs lists the systems' ids.
func systemIDs(systems []evaluation.System) string {
	ids := make([]string, len(systems))
	for i, s := range systems {
		ids[i] = s.ID
	}
	return strings.Join(ids, ",")
}

// joinInts renders 1,2,4.
func joinInts(list []int) string {
	parts := make([]string, len(list))
	for i, n := range list {
		parts[i] = strconv.Itoa(n)
	}
	return strings.Join(parts, ",")
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
