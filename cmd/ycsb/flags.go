package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/plibcached/plibcached/harness"
)

// options is the parsed command line.
type options struct {
	command          string // load, run, loadrun
	db               string
	propertyFiles    []string
	overrides        []string
	threads          int
	serverThreads    int
	duration         time.Duration
	warmup           time.Duration
	seed             int64
	resultsDir       string
	machine          string
	memcached        string
	progressInterval time.Duration
	quiet            bool
	// Multi-process mode (plib backends): processes of threads each share one segment.
	processes    int
	segment      string
	attach       string // the server (memcached, redis) a child connects to
	processIndex int    // set by the parent for a child process; -1 in the parent
	resultOut    string // where a child writes its result, as JSON
}

// errHelp means usage was asked for and printed.
var errHelp = errors.New("help")

// listFlag collects a repeatable flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// parseArgs parses "COMMAND [flags]".
func parseArgs(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("ycsb", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { usage(fs, stderr) }
	fs.StringVar(&o.db, "db", "", "backend: "+strings.Join(harness.Names(), ", "))
	fs.Var((*listFlag)(&o.propertyFiles), "P", "workload property file (repeatable; later files override earlier)")
	fs.Var((*listFlag)(&o.overrides), "p", "property override name=value (repeatable)")
	fs.IntVar(&o.threads, "threads", 0, "client threads (default: the threadcount property, else 1)")
	fs.IntVar(&o.serverThreads, "server-threads", 4, "memcached server threads (-t); the paper used 4 and 8")
	fs.DurationVar(&o.duration, "duration", 0, "run for this long instead of operationcount operations")
	fs.DurationVar(&o.warmup, "warmup", 0, "unmeasured warm-up before the run phase")
	fs.Int64Var(&o.seed, "seed", 0, "random seed (0: from the clock; recorded in the results)")
	fs.StringVar(&o.resultsDir, "results", "results", `directory for JSON and CSV results ("" to write none)`)
	fs.StringVar(&o.machine, "machine", "", "free-form machine label recorded with the results")
	fs.StringVar(&o.memcached, "memcached", "", "memcached binary (default: PATH, /usr/bin, /usr/local/bin)")
	fs.DurationVar(&o.progressInterval, "progress", 10*time.Second, "progress line interval when stderr is not a terminal")
	fs.BoolVar(&o.quiet, "q", false, "no progress display")
	fs.IntVar(&o.processes, "processes", 1, "run the run phase in this many processes of -threads each, on one shared store (plib segment, LMDB file, or the one memcached/redis server), and merge their histograms")
	fs.StringVar(&o.segment, "segment", "", "plib and lmdb backends: the file to share (default: a new one under /dev/shm, removed afterwards)")
	fs.StringVar(&o.attach, "attach", "", "memcached and redis backends: connect to this server (tcp:HOST:PORT or unix:PATH) instead of starting one")
	fs.IntVar(&o.processIndex, "process-index", -1, "internal: this child's index in a multi-process run")
	fs.StringVar(&o.resultOut, "result-out", "", "internal: file where a child writes its result as JSON")
	fs.Bool("s", false, "accepted for YCSB compatibility: progress is always shown (see -q)")
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "-help" || args[0] == "--help") {
			usage(fs, stderr)
			return o, errHelp
		}
		return o, errors.New("missing command: load, run or loadrun (see ycsb -h)")
	}
	o.command = args[0]
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return o, errHelp
		}
		return o, err
	}
	return o, o.validate(fs.Args())
}

// validate checks what flag parsing cannot.
func (o options) validate(rest []string) error {
	switch {
	case o.command != "load" && o.command != "run" && o.command != "loadrun":
		return fmt.Errorf("unknown command %q: want load, run or loadrun", o.command)
	case len(rest) > 0:
		return fmt.Errorf("unexpected arguments %q (flags go after the command)", rest)
	case o.db == "":
		return fmt.Errorf("-db is required: one of %s", strings.Join(harness.Names(), ", "))
	case o.threads < 0 || o.serverThreads < 1:
		return fmt.Errorf("-threads must be positive and -server-threads at least 1")
	case o.duration < 0 || o.warmup < 0:
		return fmt.Errorf("-duration and -warmup cannot be negative")
	case o.processes < 1 || o.processes > 256:
		return fmt.Errorf("-processes must be in [1, 256], got %d", o.processes)
	case o.processes > 1 && o.db == "gomap":
		return fmt.Errorf("-processes needs a store that processes share (plib, lmdb, a server), not gomap, which lives in one process")
	case o.processIndex >= o.processes:
		return fmt.Errorf("-process-index %d out of range for %d processes", o.processIndex, o.processes)
	}
	return nil
}

// workloadName names the workload after its last property file.
func (o options) workloadName() string {
	if len(o.propertyFiles) == 0 {
		return "custom"
	}
	return filepath.Base(o.propertyFiles[len(o.propertyFiles)-1])
}

func usage(fs *flag.FlagSet, w io.Writer) {
	fmt.Fprintf(w, `usage: ycsb load|run|loadrun -db NAME -P workloads/workloadb [-p name=value]... [-threads N] [flags]

  load     insert recordcount records and report the load
  run      run the operation mix (loading first, untimed, into a backend that starts empty)
  loadrun  load, then run, in one process; both reports

backends:
`)
	for _, name := range harness.Names() {
		fmt.Fprintf(w, "  %-16s %s\n", name, harness.Describe(name))
	}
	fmt.Fprintf(w, "\nflags:\n")
	fs.PrintDefaults()
}
