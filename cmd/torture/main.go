// Command torture is plibcached's crash-safety torture test: worker processes run a
// YCSB-A-like mix on one shared segment while a killer SIGKILLs them at random moments and
// starts replacements; at the end the store is recovered, checked, read back, and the
// histories of the contended keys are checked for linearizability with porcupine. It exits
// 1 if anything failed, 2 on bad usage. See package torture.
//
//	torture -kills 1000 -workers 4 -seed 1
//	torture -kills 300 -kill-repairers    # also kill repairers and reclaimers on purpose
//	torture -kills 300 -stop              # also SIGSTOP/SIGCONT workers (200 ms lock timeout)
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/plibcached/plibcached/torture"
)

func main() {
	torture.ChildMain() // a worker or the final checker: runs it and exits
	d := torture.DefaultConfig()
	c := d
	flag.IntVar(&c.Workers, "workers", d.Workers, "worker processes running at once")
	flag.IntVar(&c.Kills, "kills", d.Kills, "SIGKILLs to deliver (each victim is replaced)")
	flag.Int64Var(&c.Seed, "seed", d.Seed, "random seed (the killer's and the workers')")
	flag.DurationVar(&c.MinDelay, "min-delay", d.MinDelay, "shortest wait before a kill")
	flag.DurationVar(&c.MaxDelay, "max-delay", d.MaxDelay, "longest wait before a kill")
	flag.DurationVar(&c.MinRun, "min-run", d.MinRun, "run the workers at least this long")
	flag.Int64Var(&c.SegmentSize, "segment", d.SegmentSize, "segment size in bytes (small: evictions and page moves)")
	flag.IntVar(&c.MaxItemSize, "max-item", d.MaxItemSize, "the segment's maximum item size")
	flag.IntVar(&c.ClassShards, "class-shards", d.ClassShards, "shards per slab class (0: the store's choice, 1 for the default small segment)")
	flag.IntVar(&c.MaxClients, "max-clients", 0, fmt.Sprintf("the segment's client slots (0: %d, or 2*workers+4 with -kill-repairers)", d.MaxClients))
	flag.IntVar(&c.SampledKeys, "sampled-keys", d.SampledKeys, "contended keys whose histories are checked")
	flag.Float64Var(&c.SampleShare, "sample-share", d.SampleShare, "fraction of operations on the sampled keys")
	flag.IntVar(&c.BulkKeys, "bulk-keys", d.BulkKeys, "other keys, verified on every read")
	flag.IntVar(&c.MaxValue, "max-value", d.MaxValue, "largest bulk value in bytes")
	flag.DurationVar(&c.Hang, "hang", d.Hang, "watchdog: an operation or stop taking longer is a hang")
	flag.DurationVar(&c.CheckTimeout, "check-timeout", d.CheckTimeout, "porcupine's time limit per key")
	flag.StringVar(&c.Model, "model", d.Model, "auto, strict (no evictions) or evict (the store may evict any key)")
	flag.BoolVar(&c.KillRepairers, "kill-repairers", false, "also SIGKILL workers caught repairing a dead worker's locks or reclaiming its slot")
	flag.BoolVar(&c.Stop, "stop", false, "also SIGSTOP random workers for random times, then SIGCONT them")
	flag.DurationVar(&c.MinStop, "min-stop", 0, "shortest stop (0: 1ms)")
	flag.DurationVar(&c.MaxStop, "max-stop", 0, "longest stop (0: twice the busy hang)")
	flag.DurationVar(&c.LockTimeout, "lock-timeout", 0, "the workers' plib.Options.LockTimeout (0: plib's default, 200ms with -stop)")
	flag.DurationVar(&c.BusyHang, "busy-hang", 0, "with -stop: an operation taking longer, besides its own stops and starvation, is a hang (0: 5 lock timeouts + 2s)")
	flag.StringVar(&c.Dir, "out", "", "output directory (default: a temporary one, kept if the run fails)")
	flag.BoolVar(&c.Keep, "keep", false, "keep the output directory even if the run passes")
	flag.Parse()
	if flag.NArg() != 0 {
		flag.Usage()
		os.Exit(2)
	}
	if err := c.Validate(); err != nil {
		fmt.Fprintln(os.Stderr, err) // names the flag's field and the bound it misses
		os.Exit(2)
	}
	rep, err := torture.Run(c)
	if err != nil {
		fmt.Fprintln(os.Stderr, "torture:", err)
		os.Exit(2)
	}
	rep.Print(os.Stdout)
	if !rep.OK() {
		os.Exit(1)
	}
}
