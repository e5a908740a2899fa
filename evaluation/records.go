package evaluation

import (
	"fmt"
	"strconv"

	"github.com/plibcached/plibcached/harness"
	"github.com/plibcached/plibcached/plib"
	"github.com/plibcached/plibcached/workloads"
	"golang.org/x/sys/unix"
)

// memoryBudgetFraction is the share of MemAvailable a record count may plan to use: the
// harness refuses more than nine tenths when it opens a backend, and the machine may be shared.
const memoryBudgetFraction = 0.8

// recordLadder is the round figures tried, largest first, when the paper's 40M do not fit.
var recordLadder = []int64{40_000_000, 30_000_000, 20_000_000, 10_000_000, 5_000_000, 2_000_000, 1_000_000, 500_000, 200_000, 100_000}

// RecordPlan is the record-count decision, recorded in the manifest and printed.
type RecordPlan struct {
	Paper        int64      `json:"paper"`
	Chosen       int64      `json:"chosen"`
	Scaled       bool       `json:"scaled"`           // Chosen < Paper
	Reason       string     `json:"reason,omitempty"` // why, when scaled
	MemAvailable int64      `json:"mem_available_bytes"`
	ShmAvailable int64      `json:"shm_available_bytes,omitempty"` // /dev/shm, where plib's segments live
	Budget       int64      `json:"budget_bytes"`
	Estimates    []Estimate `json:"estimates"` // at Chosen
}

// Estimate is one system's estimated memory for the chosen records, and whether it fits.
type Estimate struct {
	System string `json:"system"`
	Bytes  int64  `json:"bytes"`
	Fits   bool   `json:"fits"`
}

// machineMemory is what the plan is measured against; a variable so tests can set it.
var machineMemory = func() (avail, shm int64) {
	avail, _ = harness.MemAvailable()
	var st unix.Statfs_t
	if unix.Statfs("/dev/shm", &st) == nil {
		shm = int64(st.Bavail) * st.Bsize
	}
	return avail, shm
}

// planRecords decides the record count: the configured one, or the largest of recordLadder for
// which every paper system (not the context lines) fits in the memory budget. Systems run one at
// a time, so the largest of them decides.
func planRecords(c Config, workers int) (RecordPlan, error) {
	avail, shm := machineMemory()
	plan := RecordPlan{Paper: PaperRecords, MemAvailable: avail, ShmAvailable: shm, Budget: int64(float64(avail) * memoryBudgetFraction)}
	if c.Records > 0 {
		plan.Chosen = c.Records
		plan.Estimates = estimates(c, workers, c.Records, plan)
		plan.Reason = c.RecordsReason
		if plan.Reason == "" {
			plan.Reason = "set on the command line (-records)"
		}
	} else {
		for _, n := range recordLadder {
			plan.Chosen, plan.Estimates = n, estimates(c, workers, n, plan)
			if paperSystemsFit(c, plan.Estimates) {
				break
			}
			plan.Chosen = 0
		}
		if plan.Chosen == 0 {
			return plan, fmt.Errorf("%w: %s records need more than %s (%.0f%% of MemAvailable %s)", ErrNoMemory,
				commas(recordLadder[len(recordLadder)-1]), harness.FormatBytes(plan.Budget), 100*memoryBudgetFraction, harness.FormatBytes(avail))
		}
		if plan.Chosen < PaperRecords {
			plan.Reason = fmt.Sprintf("the paper's %s records need %s at the largest system (%s), more than the budget of %s (%.0f%% of MemAvailable %s)",
				commas(PaperRecords), harness.FormatBytes(largest(estimates(c, workers, PaperRecords, plan))), largestSystem(estimates(c, workers, PaperRecords, plan)),
				harness.FormatBytes(plan.Budget), 100*memoryBudgetFraction, harness.FormatBytes(avail))
		}
	}
	plan.Scaled = plan.Chosen < PaperRecords
	return plan, nil
}

// estimates returns each system's footprint for n records, with whether it fits the budget.
func estimates(c Config, workers int, n int64, plan RecordPlan) []Estimate {
	keySize, valueSize := recordShape(c, n)
	var out []Estimate
	for _, s := range c.Systems {
		need := footprint(s.Backend, n, keySize, valueSize, workers)
		fits := need <= plan.Budget || plan.MemAvailable == 0
		if (s.Backend == "plib-nopku" || s.Backend == "plib-pku" || s.Backend == "lmdb") && plan.ShmAvailable > 0 && need > plan.ShmAvailable {
			fits = false
		}
		out = append(out, Estimate{System: s.ID, Bytes: need, Fits: fits})
	}
	return out
}

// recordShape is the largest key and value of the first mix at n records.
func recordShape(c Config, n int64) (keySize, valueSize int) {
	props, _, err := workloads.LoadProperties([]string{c.Mixes[0].File}, []string{"recordcount=" + strconv.FormatInt(n, 10)})
	if err != nil {
		return 32, 128
	}
	w, err := workloads.NewCoreWorkload(props)
	if err != nil {
		return 32, 128
	}
	return w.MaxKeySize(), w.MaxValueSize()
}

// footprint estimates the memory a backend needs for n records, as the harness sizes it.
func footprint(backend string, n int64, keySize, valueSize, workers int) int64 {
	switch backend {
	case "memcached", "memcached-unix":
		return harness.MemcachedFootprint(harness.MemcachedMemoryMB(n, keySize, valueSize), n)
	case "plib-nopku", "plib-pku":
		opts := plib.Options{MaxClients: workers + 8, MaxItemSize: max(1<<20, keySize+valueSize+64)}
		size, err := plib.SegmentSizeFor(n, keySize, valueSize, opts)
		if err != nil {
			return 0
		}
		return size + size/20 // the harness's headroom
	case "gomap":
		return harness.GomapFootprint(n, keySize, valueSize)
	case "redis", "redis-unix":
		return harness.RedisFootprint(n, keySize, valueSize)
	case "lmdb":
		return harness.LMDBFootprint(n, keySize, valueSize)
	}
	return 0
}

// paperSystemsFit reports whether every system that is not a context line fits.
func paperSystemsFit(c Config, est []Estimate) bool {
	for i, s := range c.Systems {
		if !s.Context && !est[i].Fits {
			return false
		}
	}
	return true
}

// largest and largestSystem return the largest estimate and its system.
func largest(est []Estimate) int64 {
	var m int64
	for _, e := range est {
		m = max(m, e.Bytes)
	}
	return m
}

func largestSystem(est []Estimate) string {
	var m int64
	name := ""
	for _, e := range est {
		if e.Bytes > m {
			m, name = e.Bytes, e.System
		}
	}
	return name
}
