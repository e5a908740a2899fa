package evaluation

import (
	"fmt"
	"io"
	"regexp"
	"time"
)

// PaperRecords is the paper's record count (slide 14: "40M records").
const PaperRecords = 40_000_000

// PaperThreads is the paper's client-thread sweep: its figures run from 1 to 40 threads on a
// machine with 40 hardware threads.
var PaperThreads = []int{1, 2, 4, 8, 16, 32, 40}

// Mix is one workload mix of the throughput figures.
type Mix struct {
	Name  string `json:"name"`  // "readheavy": file names, tables
	File  string `json:"file"`  // YCSB property file: "paper-readheavy" (workloads has it built in)
	Title string `json:"title"` // "Read heavy (95% read / 5% update)"
}

// PaperMixes are the paper's two mixes (slide 14), as YCSB property files.
var PaperMixes = []Mix{
	{Name: "readheavy", File: "paper-readheavy", Title: "Read heavy (95/5)"},
	{Name: "writeheavy", File: "paper-writeheavy", Title: "Write heavy (50/50)"},
}

// System is one line of the throughput figures: a harness backend with its server threads.
type System struct {
	ID            string `json:"id"`      // "memcached-8t": directory names, tables
	Backend       string `json:"backend"` // registered harness backend
	ServerThreads int    `json:"server_threads,omitempty"`
	Title         string `json:"title"`           // legend text
	Paper         string `json:"paper,omitempty"` // the paper's legend for the same system
	// Context marks a system the paper did not measure, drawn dashed for perspective.
	Context bool `json:"context,omitempty"`
	Color   int  `json:"color"` // palette index, the same in every figure
}

// PaperSystems are the paper's four systems (slide 14's legend) and two context lines: the
// fairest socket baseline (a unix socket) and the in-process floor (a Go map).
var PaperSystems = []System{
	{ID: "memcached-8t", Backend: "memcached", ServerThreads: 8, Title: "memcached, 8 server threads", Paper: "Memcached 8 Threads", Color: 0},
	{ID: "memcached-4t", Backend: "memcached", ServerThreads: 4, Title: "memcached, 4 server threads", Paper: "Memcached 4 Threads", Color: 1},
	{ID: "plib-nopku", Backend: "plib-nopku", Title: "plib, no PKU", Paper: "Modified Memcached, No Hodor", Color: 2},
	{ID: "plib-pku", Backend: "plib-pku", Title: "plib, PKU", Paper: "Modified Memcached, with Hodor", Color: 3},
	{ID: "memcached-unix-8t", Backend: "memcached-unix", ServerThreads: 8, Title: "memcached, unix socket, 8 threads (context)", Context: true, Color: 4},
	{ID: "gomap", Backend: "gomap", Title: "Go map in process (context)", Context: true, Color: 5},
}

// PeerSystems are what a user would pick instead of plib for a co-located cache, measured the
// same way as context lines: Redis over loopback TCP and over a unix socket, and LMDB, a
// memory-mapped store that processes share as they share plib's segment.
var PeerSystems = []System{
	{ID: "redis", Backend: "redis", Title: "Redis, loopback TCP (context)", Context: true, Color: 6},
	{ID: "redis-unix", Backend: "redis-unix", Title: "Redis, unix socket (context)", Context: true, Color: 7},
	{ID: "lmdb", Backend: "lmdb", Title: "LMDB, shared file (context)", Context: true, Color: 8},
}

// AllSystems are every system a run may choose: the paper's, its context lines and the peers.
func AllSystems() []System { return append(append([]System(nil), PaperSystems...), PeerSystems...) }

// SplitConfig is the across-processes figure: the same total client threads split over
// several processes that share one store (plib's segment, LMDB's file) or one server.
type SplitConfig struct {
	// Systems are the figure's lines; nil or empty leaves the figure out.
	Systems []System
	// Threads are the total client-thread counts, Processes the process counts: every pair
	// where the processes divide the threads is run.
	Threads     []int
	Processes   []int
	Repetitions int // runs per point
}

// SplitSystems are the across-processes figure's lines: plib without and with PKU and LMDB,
// which processes share through memory, beside memcached and Redis over the unix socket (each
// server's fastest co-located transport), to which each process opens its own connections.
var SplitSystems = []System{
	PaperSystems[2], PaperSystems[3], PeerSystems[2], PaperSystems[4], PeerSystems[1],
}

// Config is one evaluation run. Full and Quick return the two the Makefile runs.
type Config struct {
	// Name names the run: its raw data go to <ResultsRoot>/<Name>, its figures to
	// <PlotsRoot>/<Name>. Letters, digits, '-', '_' and '.'.
	Name        string
	ResultsRoot string
	PlotsRoot   string
	// Records is the record count; 0 picks the paper's 40M when the machine has the memory for
	// it, else the largest round figure that fits, and says so.
	Records int64
	// RecordsReason says why Records was set (printed and recorded when it is not the paper's).
	RecordsReason string
	Mixes         []Mix
	Systems       []System
	// Threads is the client-thread sweep; nil takes PaperThreads up to twice the cores.
	Threads     []int
	Repetitions int           // runs per point, for the error bars
	Duration    time.Duration // measured time per run
	Warmup      time.Duration // unmeasured time before each run
	LoadThreads int           // loaders (memcached: pipelined connections); 0: 2 per core, at least 4
	Latency     LatencyConfig
	// Split is the across-processes figure (see SplitConfig).
	Split   SplitConfig
	Seed    int64 // base of every run's seed; 0 means 1
	Machine string
	// MemcachedBinary overrides the search for memcached.
	MemcachedBinary string
	// Out receives the report: plan, warnings, a line per point, the tables. Progress receives
	// the load phases' progress display (a bar on a terminal). nil discards either.
	Out      io.Writer
	Progress io.Writer
}

// LatencyConfig configures the latency table (harness.MeasureLatency).
type LatencyConfig struct {
	Backends []string // columns; nil: harness.DefaultLatencyBackends
	Records  int64    // records with 128-byte values
	Samples  int      // timed samples per cell
	// Pinned are the columns of a second table measured with the whole process, and the servers
	// it starts, pinned to one CPU: on a virtual machine a socket round trip between two vCPUs
	// pays for waking a halted vCPU, which the paper's busy bare-metal machine did not. nil: no
	// second table.
	Pinned []string
}

// pinnedLatencyBackends are the second table's columns: the socket baselines, plib for the
// speedup, and the peers at their best on a virtual machine (Redis's unix socket, LMDB).
var pinnedLatencyBackends = []string{"memcached", "plib-pku", "plib-nopku", "memcached-unix", "redis-unix", "lmdb"}

// Full is `make reproduce`: the paper's parameters, three runs of 10 s per point, the peers as
// context lines, and the across-processes figure. Its context lines leave out the Go map: 40M
// records of it would take some 16 GiB of Go heap for a line the quick run draws anyway.
func Full() Config {
	return Config{
		Name: "reference", ResultsRoot: "results", PlotsRoot: "plots",
		Mixes: PaperMixes, Systems: append(append([]System(nil), PaperSystems[:len(PaperSystems)-1]...), PeerSystems...),
		Repetitions: 3, Duration: 10 * time.Second, Warmup: 2 * time.Second,
		Latency: LatencyConfig{Records: 1_000_000, Samples: 10000, Pinned: pinnedLatencyBackends},
		Split:   SplitConfig{Systems: SplitSystems, Threads: []int{1, 2, 4}, Processes: []int{1, 2, 4}, Repetitions: 3},
	}
}

// Quick is `make reproduce-quick`: the same pipeline at 1M records, three short runs per point.
func Quick() Config {
	c := Full()
	c.Name, c.Systems = "quick", AllSystems()
	c.Split.Repetitions = 2
	c.Records, c.RecordsReason = 1_000_000, "quick run: 1M records by design"
	c.Repetitions, c.Duration, c.Warmup = 3, 2*time.Second, 500*time.Millisecond
	c.Latency = LatencyConfig{Records: 100_000, Samples: 3000, Pinned: pinnedLatencyBackends}
	return c
}

var runName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// validate rejects a configuration that cannot run.
func (c Config) validate() error {
	switch {
	case !runName.MatchString(c.Name):
		return fmt.Errorf("%w: run name %q: want letters, digits, '.', '-', '_'", ErrConfig, c.Name)
	case c.ResultsRoot == "" || c.PlotsRoot == "":
		return fmt.Errorf("%w: results and plots directories must be given", ErrConfig)
	case c.Records < 0:
		return fmt.Errorf("%w: negative record count %d", ErrConfig, c.Records)
	case len(c.Mixes) == 0 || len(c.Systems) == 0:
		return fmt.Errorf("%w: no mixes or no systems", ErrConfig)
	case c.Repetitions < 1 || c.Duration <= 0 || c.Warmup < 0 || c.LoadThreads < 0:
		return fmt.Errorf("%w: repetitions and duration must be positive, warm-up and load threads not negative", ErrConfig)
	case c.Latency.Records < 1 || c.Latency.Samples < 1:
		return fmt.Errorf("%w: latency records and samples must be positive", ErrConfig)
	case len(c.Split.Systems) > 0 && (c.Split.Repetitions < 1 || len(c.Split.Threads) == 0 || len(c.Split.Processes) == 0):
		return fmt.Errorf("%w: the across-processes figure needs thread counts, process counts and repetitions", ErrConfig)
	}
	for _, t := range c.Threads {
		if t < 1 {
			return fmt.Errorf("%w: thread count %d", ErrConfig, t)
		}
	}
	seen := map[string]bool{}
	for _, s := range c.Systems {
		if seen[s.ID] || !runName.MatchString(s.ID) {
			return fmt.Errorf("%w: system id %q repeated or unusable in a file name", ErrConfig, s.ID)
		}
		seen[s.ID] = true
	}
	return nil
}
