// Command plibdbench sets plibd over loopback TCP beside stock memcached over loopback TCP
// on the paper's read-heavy mix (YCSB, 95% reads, 5% updates, zipfian, 128-byte values),
// both driven by the same gomemcache workers through package harness, in alternating
// rounds within one run, and prints throughput and read p99 side by side with their ratio.
//
//	plibdbench -records 200000 -threads 4 -duration 5s -rounds 3
//
// plibd is found as the harness finds it (PLIBD_BINARY, PATH, bin/plibd): `make
// bench-plibd` builds it and runs this. Each server runs with its defaults for the machine
// unless told otherwise: memcached -t 4, plibd -procs half the CPUs (-server-threads and
// -plibd-procs change them).
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
	"sort"
	"strconv"
	"syscall"
	"time"

	"github.com/plibcached/plibcached/harness"
	"github.com/plibcached/plibcached/workloads"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

type options struct {
	records       int64
	threads       int
	serverThreads int
	duration      time.Duration
	warmup        time.Duration
	rounds        int
	plibdProcs    int
	backends      []string
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("plibdbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	fs.Int64Var(&o.records, "records", 200_000, "records loaded into each server")
	fs.IntVar(&o.threads, "threads", 4, "client threads (one connection each)")
	fs.IntVar(&o.serverThreads, "server-threads", 4, "memcached's -t (plibd: -plibd-procs)")
	fs.DurationVar(&o.duration, "duration", 5*time.Second, "measured time per round and server")
	fs.DurationVar(&o.warmup, "warmup", time.Second, "unmeasured warm-up per round and server")
	fs.IntVar(&o.rounds, "rounds", 3, "alternating rounds (the median is reported)")
	procs := fs.Int("plibd-procs", 0, "plibd's -procs (GOMAXPROCS); 0: plibd's default, half the CPUs")
	if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
		return 0
	} else if err != nil || fs.NArg() > 0 || o.rounds < 1 {
		fmt.Fprintln(stderr, "usage: plibdbench [-records N] [-threads N] [-server-threads N] [-duration D] [-warmup D] [-rounds N]")
		return 2
	}
	o.backends = []string{"memcached", "plibd"}
	o.plibdProcs = max(1, runtime.NumCPU()/2)
	if *procs > 0 {
		o.plibdProcs = *procs
		os.Setenv("PLIBD_PROCS", strconv.Itoa(*procs)) // read by the harness's plibd backend
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	res, err := measure(ctx, o, stderr)
	if err != nil {
		fmt.Fprintf(stderr, "plibdbench: %v\n", err)
		return 1
	}
	report(stdout, o, res)
	return 0
}

// sample is one round's figures for one server.
type sample struct {
	kops, p99Us float64
}

// measure runs every round, alternating the servers so that drift on a shared machine
// falls on both.
func measure(ctx context.Context, o options, log io.Writer) (map[string][]sample, error) {
	props, _, err := workloads.LoadProperties([]string{"paper-readheavy"},
		[]string{"recordcount=" + strconv.FormatInt(o.records, 10), "operationcount=0"})
	if err != nil {
		return nil, err
	}
	res := map[string][]sample{}
	for round := 1; round <= o.rounds; round++ {
		order := o.backends
		if round%2 == 0 {
			order = []string{o.backends[1], o.backends[0]}
		}
		for _, backend := range order {
			s, err := once(ctx, o, props, backend)
			if err != nil {
				return nil, fmt.Errorf("round %d, %s: %w", round, backend, err)
			}
			fmt.Fprintf(log, "round %d %-9s %8.1f kops/s  read p99 %7.1f µs\n", round, backend, s.kops, s.p99Us)
			res[backend] = append(res[backend], s)
		}
	}
	return res, nil
}

// once loads a fresh server and measures one run phase.
func once(ctx context.Context, o options, props workloads.Properties, backend string) (sample, error) {
	b, err := harness.Prepare(harness.Options{Backend: backend, Properties: props, Workload: "paper-readheavy",
		Threads: o.threads, ServerThreads: o.serverThreads, Duration: o.duration, Warmup: o.warmup, Seed: 1})
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
		s.p99Us = op.P99Us
	}
	return s, nil
}

// report prints the medians side by side.
func report(w io.Writer, o options, res map[string][]sample) {
	med := func(xs []sample, f func(sample) float64) float64 {
		v := make([]float64, len(xs))
		for i, x := range xs {
			v[i] = f(x)
		}
		sort.Float64s(v)
		return v[len(v)/2]
	}
	kops := func(s sample) float64 { return s.kops }
	p99 := func(s sample) float64 { return s.p99Us }
	m, p := res["memcached"], res["plibd"]
	fmt.Fprintf(w, "\nread-heavy (95/5, zipfian, 128 B), %d records, %d client threads, memcached -t %d, plibd GOMAXPROCS %d, %d rounds of %v (median)\n",
		o.records, o.threads, o.serverThreads, o.plibdProcs, o.rounds, o.duration)
	fmt.Fprintf(w, "%-22s %12s %14s\n", "server (loopback TCP)", "kops/s", "read p99 µs")
	fmt.Fprintf(w, "%-22s %12.1f %14.1f\n", "memcached", med(m, kops), med(m, p99))
	fmt.Fprintf(w, "%-22s %12.1f %14.1f\n", "plibd", med(p, kops), med(p, p99))
	fmt.Fprintf(w, "%-22s %11.2fx %13.2fx\n", "plibd / memcached", med(p, kops)/med(m, kops), med(p, p99)/med(m, p99))
}
