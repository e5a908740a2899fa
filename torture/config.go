package torture

import (
	"errors"
	"fmt"
	"time"
)

// Config is one torture run. Zero fields take the defaults of DefaultConfig, except Kills
// (zero kills is a run without crashes: a baseline) and the flags Keep and MinRun.
type Config struct {
	// Workers is the number of worker processes running at once (at least 4 for a real run).
	Workers int
	// Kills is how many times a worker is SIGKILLed (and replaced) before the run stops.
	Kills int
	// Seed seeds every random choice: the killer's and, derived from it, each worker's.
	Seed int64
	// MinDelay and MaxDelay bound the random wait before each kill.
	MinDelay, MaxDelay time.Duration
	// MinRun is the least time the workers run, however fast the kills go.
	MinRun time.Duration

	// SegmentSize is the shared segment's size, small enough that the store evicts and
	// moves pages between slab classes.
	SegmentSize int64
	// MaxItemSize is the segment's largest item (each client slot has scratch this big).
	MaxItemSize int
	// ClassShards splits the segment's slab classes into shards by key hash
	// (plib.Options.ClassShards); 0 is the store's choice, 1 for the default segment.
	ClassShards int
	// MaxClients is the segment's number of client slots; killed workers' slots are
	// reclaimed, so a leak shows as workers that cannot start.
	MaxClients int
	// ExpectedItems sizes the initial hash table; small, so that it grows during the run.
	ExpectedItems int64

	// SampledKeys is how many keys are contended and have their histories checked for
	// linearizability; a third of them are counters (incr/decr), the rest blobs.
	SampledKeys int
	// SampleShare is the fraction of operations that go to the sampled keys.
	SampleShare float64
	// BulkKeys is how many other keys fill the store (a tenth of them counters); their
	// values are verified on every read but not logged.
	BulkKeys int
	// MaxValue is the most bytes a set writes (one chunk: appends add more), in bytes; a
	// bulk key's sizes are log-uniform up to it. It must hold a chunk of the longest key
	// with the smallest payload (about 100 bytes; validate names the exact least).
	MaxValue int

	// Hang is how long an operation, a stopping worker or the final check may take before
	// the watchdog declares it hung (and takes a goroutine dump with SIGQUIT).
	Hang time.Duration
	// CheckTimeout bounds porcupine's search for each key's linearization.
	CheckTimeout time.Duration
	// Model is "auto" (strict if the store evicted nothing, else allow evictions),
	// "strict" or "evict".
	Model string
	// Dir receives histories, worker logs and visualizations; empty: a new temporary
	// directory, removed after a run that found nothing unless Keep is set.
	Dir string
	// Keep keeps a temporary Dir even when the run found nothing.
	Keep bool
	// Executable is the binary re-executed as workers; empty: this one (os.Executable).
	// Its main (or TestMain) must call ChildMain first.
	Executable string

	// KillRepairers makes the killer hunt repairers too (hunt.go): between kills it polls
	// plib.Client.Repairing and SIGKILLs every worker it finds repairing a dead client's
	// locks or reclaiming a dead slot, and it prefers victims that hold a lock.
	KillRepairers bool
	// Stop makes stoppers SIGSTOP random workers for MinStop..MaxStop (log-uniform), then
	// SIGCONT them (stop.go); the watchdog then allows an operation BusyHang, not Hang.
	Stop             bool
	MinStop, MaxStop time.Duration
	// LockTimeout is the workers' plib.Options.LockTimeout (0: plib's default, or 200 ms
	// with Stop).
	LockTimeout time.Duration
	// BusyHang (with Stop) is the longest an operation may take, not counting the time its
	// own worker was stopped or starved: no call may wait for a stopped client much past
	// LockTimeout. Default 5*LockTimeout + 2 s.
	BusyHang time.Duration

	// fault makes the workers misbehave, to test the harness itself (see fault.go).
	fault string
}

// DefaultConfig is the full run's configuration (make torture).
func DefaultConfig() Config {
	return Config{
		Workers:       4,
		Kills:         1000,
		Seed:          1,
		MinDelay:      time.Millisecond,
		MaxDelay:      30 * time.Millisecond,
		MinRun:        0,
		SegmentSize:   16 << 20,
		MaxItemSize:   64 << 10,
		MaxClients:    64,
		ExpectedItems: 1,
		SampledKeys:   12,
		SampleShare:   0.25,
		BulkKeys:      2000,
		MaxValue:      16 << 10,
		Hang:          10 * time.Second,
		CheckTimeout:  2 * time.Minute,
		Model:         "auto",
	}
}

// withDefaults fills zero fields from DefaultConfig.
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	set := func(v *int, dv int) {
		if *v == 0 {
			*v = dv
		}
	}
	set(&c.Workers, d.Workers)
	set(&c.MaxItemSize, d.MaxItemSize)
	set(&c.MaxClients, d.MaxClients)
	set(&c.SampledKeys, d.SampledKeys)
	set(&c.BulkKeys, d.BulkKeys)
	set(&c.MaxValue, d.MaxValue)
	if c.MinDelay == 0 {
		c.MinDelay = d.MinDelay
	}
	if c.MaxDelay == 0 {
		c.MaxDelay = d.MaxDelay
	}
	if c.SegmentSize == 0 {
		c.SegmentSize = d.SegmentSize
	}
	if c.ExpectedItems == 0 {
		c.ExpectedItems = d.ExpectedItems
	}
	if c.SampleShare == 0 {
		c.SampleShare = d.SampleShare
	}
	if c.Hang == 0 {
		c.Hang = d.Hang
	}
	if c.CheckTimeout == 0 {
		c.CheckTimeout = d.CheckTimeout
	}
	if c.Model == "" {
		c.Model = d.Model
	}
	return c
}

// Validate reports what is wrong with c (its zero fields taken from DefaultConfig), as Run
// would: nil if Run can start it.
func (c Config) Validate() error { return c.withDefaults().validate() }

func (c Config) validate() error {
	switch {
	case c.Workers < 1 || c.Kills < 0:
		return errors.New("torture: need at least one worker and a non-negative kill count")
	case c.MinDelay > c.MaxDelay:
		return fmt.Errorf("torture: min delay %v > max delay %v", c.MinDelay, c.MaxDelay)
	case c.SampledKeys < 3 || c.BulkKeys < 10:
		return errors.New("torture: need at least 3 sampled keys and 10 bulk keys")
	case c.SampleShare < 0 || c.SampleShare > 1:
		return fmt.Errorf("torture: sample share %v not in [0, 1]", c.SampleShare)
	case c.MaxValue < minMaxValue(c.SampledKeys, c.BulkKeys):
		return fmt.Errorf("torture: max value %d is below %d, the least that holds a set's value (one chunk {KEY WRITER SEQ N PAYLOAD CRC} with the smallest payload, of the longest key)",
			c.MaxValue, minMaxValue(c.SampledKeys, c.BulkKeys))
	case c.MaxValue+256 > c.MaxItemSize:
		return fmt.Errorf("torture: max value %d must be at most the max item size %d - 256", c.MaxValue, c.MaxItemSize)
	case c.Model != "auto" && c.Model != "strict" && c.Model != "evict":
		return fmt.Errorf("torture: model %q is not auto, strict or evict", c.Model)
	}
	return nil
}

// spec is what a child process is told, as JSON in its environment.
type spec struct {
	Role        string // "worker" or "final"
	Path        string // the segment
	Dir         string
	ID          uint64 // the worker incarnation: writer id and history file name
	Slot        int    // which of the Workers it replaces (porcupine client id)
	Seed        int64
	SampledKeys int
	SampleShare float64
	BulkKeys    int
	MaxValue    int
	Fault       string
	LockTimeout time.Duration
}
