// Command plibdbench sets plibd over loopback TCP beside stock memcached over loopback TCP
// at equal threads (plibd's GOMAXPROCS and event loops = memcached's -t), on the paper's
// read-heavy (95/5) and write-heavy (50/50) mixes (YCSB, zipfian, 128-byte values), with
// 4, 16 and 256 connections (one gomemcache client thread each), both servers driven by the
// same workers through package harness in alternating rounds, and prints one table of
// medians: throughput, read and update p99, and plibd's ratios to memcached.
//
//	plibdbench -records 100000 -conns 4,16,256 -server-threads 2 -duration 3s -rounds 3
//
// plibd is found as the harness finds it (PLIBD_BINARY, PATH, bin/plibd): `make
// bench-plibd` builds it and runs this.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/plibcached/plibcached/harness"
	"github.com/plibcached/plibcached/workloads"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

type options struct {
	records       int64
	conns         []int
	mixes         []string
	serverThreads int
	duration      time.Duration
	warmup        time.Duration
	rounds        int
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("plibdbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	fs.Int64Var(&o.records, "records", 100_000, "records loaded into each server")
	conns := fs.String("conns", "4,16,256", "connections (client threads, one connection each), comma-separated")
	mixes := fs.String("mixes", "paper-readheavy,paper-writeheavy", "workloads, comma-separated")
	fs.IntVar(&o.serverThreads, "server-threads", runtime.NumCPU(), "memcached's -t and plibd's -procs (GOMAXPROCS, event loops)")
	fs.DurationVar(&o.duration, "duration", 3*time.Second, "measured time per round and server")
	fs.DurationVar(&o.warmup, "warmup", 500*time.Millisecond, "unmeasured warm-up per round and server")
	fs.IntVar(&o.rounds, "rounds", 3, "alternating rounds (the median is reported)")
	usage := "usage: plibdbench [-records N] [-conns N,N] [-mixes W,W] [-server-threads N] [-duration D] [-warmup D] [-rounds N]"
	if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
		return 0
	} else if err != nil || fs.NArg() > 0 || o.rounds < 1 || o.serverThreads < 1 {
		fmt.Fprintln(stderr, usage)
		return 2
	}
	for _, f := range strings.Split(*conns, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			fmt.Fprintf(stderr, "plibdbench: -conns: %q is not a connection count\n%s\n", f, usage)
			return 2
		}
		o.conns = append(o.conns, n)
	}
	o.mixes = strings.Split(*mixes, ",")
	os.Setenv("PLIBD_PROCS", strconv.Itoa(o.serverThreads)) // read by the harness's plibd backend
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	var cells []cell
	for _, mix := range o.mixes {
		for _, n := range o.conns {
			c, err := measure(ctx, o, mix, n, stderr)
			if err != nil {
				fmt.Fprintf(stderr, "plibdbench: %s, %d connections: %v\n", mix, n, err)
				return 1
			}
			cells = append(cells, c)
		}
	}
	report(stdout, o, cells)
	return 0
}

// sample is one round's figures for one server.
type sample struct {
	kops, readP99, updateP99 float64
}

// cell is one mix and connection count: each server's rounds.
type cell struct {
	mix   string
	conns int
	res   map[string][]sample
}

// measure runs one cell's rounds, alternating the servers so that drift on a shared
// machine falls on both.
func measure(ctx context.Context, o options, mix string, conns int, log io.Writer) (cell, error) {
	props, _, err := workloads.LoadProperties([]string{mix},
		[]string{"recordcount=" + strconv.FormatInt(o.records, 10), "operationcount=0"})
	if err != nil {
		return cell{}, err
	}
	c := cell{mix: mix, conns: conns, res: map[string][]sample{}}
	backends := []string{"memcached", "plibd"}
	for round := 1; round <= o.rounds; round++ {
		order := backends
		if round%2 == 0 {
			order = []string{backends[1], backends[0]}
		}
		for _, backend := range order {
			s, err := once(ctx, o, props, mix, conns, backend)
			if err != nil {
				return c, fmt.Errorf("round %d, %s: %w", round, backend, err)
			}
			fmt.Fprintf(log, "%s %4d conns round %d %-9s %8.1f kops/s  p99 read %7.1f µs  update %7.1f µs\n",
				mix, conns, round, backend, s.kops, s.readP99, s.updateP99)
			c.res[backend] = append(c.res[backend], s)
		}
	}
	return c, nil
}

// once loads a fresh server and measures one run phase.
func once(ctx context.Context, o options, props workloads.Properties, mix string, conns int, backend string) (sample, error) {
	b, err := harness.Prepare(harness.Options{Backend: backend, Properties: props, Workload: mix,
		Threads: conns, ServerThreads: o.serverThreads, Duration: o.duration, Warmup: o.warmup, Seed: 1})
	if err != nil {
		return sample{}, err
	}
	defer b.Close()
	if _, err := b.LoadFast(ctx); err != nil {
		return sample{}, fmt.Errorf("load: %w", err)
	}
	r, err := b.Run(ctx)
	if err != nil {
		return sample{}, err
	}
	s := sample{kops: r.Throughput / 1000}
	if op := r.Op("READ"); op != nil {
		s.readP99 = op.P99Us
	}
	if op := r.Op("UPDATE"); op != nil {
		s.updateP99 = op.P99Us
	}
	return s, nil
}
