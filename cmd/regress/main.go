package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/plibcached/plibcached/regress"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run parses args, measures, reports and returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("regress", flag.ContinueOnError)
	fs.SetOutput(stderr)
	floorsPath := fs.String("floors", "regress/floors.txt", "floors file")
	var o regress.Options
	fs.Int64Var(&o.Records, "records", 100_000, "records each throughput mix loads")
	fs.DurationVar(&o.Duration, "duration", 3*time.Second, "measured time per throughput run (one per side)")
	fs.IntVar(&o.LatencySamples, "samples", 5000, "timed samples per latency cell")
	fs.StringVar(&o.MemcachedBinary, "memcached", "", "memcached binary (default: PATH, /usr/bin, /usr/local/bin)")
	if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
		return 0
	} else if err != nil || fs.NArg() > 0 {
		fmt.Fprintf(stderr, "regress: bad usage (%v %q)\n", err, fs.Args())
		return 2
	}
	f, err := os.Open(*floorsPath)
	if err != nil {
		fmt.Fprintf(stderr, "regress: %v\n", err)
		return 2
	}
	floors, err := regress.ParseFloors(f)
	f.Close()
	if err != nil {
		fmt.Fprintf(stderr, "regress: %s: %v\n", *floorsPath, err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	start := time.Now()
	fmt.Fprintf(stdout, "regress: %d floors from %s, measured in this one process\n", len(floors), *floorsPath)
	m, err := regress.Measure(ctx, floors, o)
	if err != nil {
		fmt.Fprintf(stderr, "regress: measuring: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "machine: %s, %d cores, PKU %v, %s; measured in %s\n", m.Env.CPUModel, m.Env.Cores, m.Env.PKU, m.Env.MemcachedVersion, time.Since(start).Round(time.Second))
	if failed := regress.Report(stdout, regress.Evaluate(floors, m), m); failed > 0 {
		return 1
	}
	return 0
}
