package evaluation

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/plibcached/plibcached/harness"
	"github.com/plibcached/plibcached/workloads"
)

// SplitDir holds the across-processes runs: processes/<system>/ycsb-run-*.json, one merged
// result per run.
const SplitDir = "processes"

// SplitRun is the across-processes figure's part of the manifest.
type SplitRun struct {
	Threads     []int       `json:"threads"`
	Processes   []int       `json:"processes"`
	Repetitions int         `json:"repetitions"`
	Systems     []SystemRun `json:"systems"`
}

// splitPairs are the (total threads, processes) points: every pair where the processes divide
// the threads, by threads then processes.
func splitPairs(c SplitConfig) [][2]int {
	var out [][2]int
	for _, t := range c.Threads {
		for _, p := range c.Processes {
			if p >= 1 && p <= t && t%p == 0 {
				out = append(out, [2]int{t, p})
			}
		}
	}
	return out
}

// planSplit records the across-processes plan in the manifest, with the systems that cannot
// run here already marked.
func (r *runner) planSplit() int {
	c := r.cfg.Split
	if len(c.Systems) == 0 {
		return 0
	}
	r.manifest.Split = &SplitRun{Threads: c.Threads, Processes: c.Processes, Repetitions: c.Repetitions}
	points := 0
	for _, s := range c.Systems {
		sr := SystemRun{System: s, Skipped: unavailable(s, r.cfg.MemcachedBinary)}
		if sr.Skipped == "" {
			points += len(r.cfg.Mixes) * len(splitPairs(c)) * c.Repetitions
		}
		r.manifest.Split.Systems = append(r.manifest.Split.Systems, sr)
	}
	return points
}

// split runs the across-processes figure: for each system, one store loaded by this process,
// then every mix and (threads, processes) point run by child processes that share it.
func (r *runner) split(ctx context.Context) error {
	if r.manifest.Split == nil {
		return nil
	}
	mixProps, err := r.mixProperties()
	if err != nil {
		return err
	}
	for i := range r.manifest.Split.Systems {
		sr := &r.manifest.Split.Systems[i]
		if sr.Skipped != "" {
			r.printf("\n--- %s across processes: SKIPPED: %s ---\n", sr.ID, sr.Skipped)
			continue
		}
		if err := r.splitSystem(ctx, sr, mixProps); err != nil {
			return fmt.Errorf("%s across processes: %w", sr.ID, err)
		}
		if err := r.save(); err != nil {
			return err
		}
	}
	return nil
}

// splitSystem loads one system's shared store and runs its points.
func (r *runner) splitSystem(ctx context.Context, sr *SystemRun, mixProps []workloads.Properties) error {
	c := r.cfg
	segment := ""
	if strings.HasPrefix(sr.Backend, "plib-") || sr.Backend == "lmdb" {
		segment = filepath.Join("/dev/shm", fmt.Sprintf("plibcached-split-%d-%s", os.Getpid(), sr.ID))
		defer harness.RemoveLMDB(segment) // the file, and LMDB's lock file
	}
	r.printf("\n--- %s across processes: %s ---\n", sr.ID, harness.Describe(sr.Backend))
	parent, err := harness.Prepare(harness.Options{
		Backend: sr.Backend, Properties: mixProps[0], Workload: c.Mixes[0].File, Threads: max(r.workers, maxOf(c.Split.Threads)),
		ServerThreads: sr.ServerThreads, Duration: c.Duration, Seed: c.Seed, Segment: segment,
		MemcachedBinary: c.MemcachedBinary, Machine: c.Machine, Log: r.logf,
	})
	if skip := skipReason(err); skip != "" {
		sr.Skipped = skip
		r.printf("SKIPPED %s across processes: %s\n", sr.ID, skip)
		return nil
	}
	if err != nil {
		return err
	}
	defer parent.Close()
	dir := filepath.Join(r.dir, SplitDir, sr.ID)
	if err := r.load(ctx, parent, sr, dir); err != nil {
		return err
	}
	seg, attach, ok := parent.SharedStore()
	if !ok {
		return fmt.Errorf("%s: no store that other processes can reach", sr.Backend)
	}
	pairs := splitPairs(c.Split)
	for rep := range c.Split.Repetitions {
		for mi, mix := range c.Mixes {
			for _, tp := range pairs {
				seed := c.Seed + int64(rep)*1_000_003 + int64(mi)*10_007 + int64(tp[0])*101 + int64(tp[1])
				res, err := harness.RunProcesses(ctx, harness.ProcessSpec{Backend: sr.Backend, Properties: mixProps[mi],
					Workload: mix.File, Threads: tp[0], Processes: tp[1], Segment: seg, Attach: attach,
					ServerThreads: sr.ServerThreads, Duration: c.Duration, Warmup: c.Warmup, Seed: seed, Machine: c.Machine})
				if err != nil {
					return fmt.Errorf("%s, %d threads over %d processes, run %d: %w", mix.Name, tp[0], tp[1], rep+1, err)
				}
				res.Notes = append(res.Notes, r.notes...)
				if _, _, err := harness.WriteResultFiles(dir, res); err != nil {
					return err
				}
				sr.Points++
				r.points++
				r.printf("[%3d/%d] %-10s %-18s threads %2d over %d processes  run %d/%d  %10.1f kops/s   (elapsed %s)\n",
					r.points, r.totalPoints, mix.Name, sr.ID, tp[0], tp[1], rep+1, c.Split.Repetitions, res.Throughput/1e3,
					formatDuration(time.Since(r.started)))
			}
		}
	}
	return nil
}

// maxOf is the largest of list, or 0.
func maxOf(list []int) int {
	m := 0
	for _, v := range list {
		m = max(m, v)
	}
	return m
}
