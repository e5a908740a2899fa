package evaluation

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"time"

	"github.com/plibcached/plibcached/harness"
	"github.com/plibcached/plibcached/workloads"
)

// throughput runs every system's sweep, one system at a time (each holds the records in memory).
func (r *runner) throughput(ctx context.Context) error {
	mixProps, err := r.mixProperties()
	if err != nil {
		return err
	}
	for i := range r.manifest.Systems {
		sr := &r.manifest.Systems[i]
		if sr.Skipped != "" {
			r.printf("\n--- %s: SKIPPED: %s ---\n", sr.ID, sr.Skipped)
			continue
		}
		if err := r.sweepSystem(ctx, sr, mixProps); err != nil {
			return fmt.Errorf("%s: %w", sr.ID, err)
		}
		if err := r.save(); err != nil {
			return err
		}
	}
	return nil
}

// mixProperties loads each mix's properties at the chosen record count, bounded by time.
func (r *runner) mixProperties() ([]workloads.Properties, error) {
	var all []workloads.Properties
	for _, mix := range r.cfg.Mixes {
		props, warnings, err := workloads.LoadProperties([]string{mix.File},
			[]string{"recordcount=" + strconv.FormatInt(r.manifest.Records.Chosen, 10), "operationcount=0"})
		if err != nil {
			return nil, fmt.Errorf("%w: mix %s: %w", ErrConfig, mix.Name, err)
		}
		for _, w := range warnings {
			r.warn("mix %s: %s", mix.Name, w)
		}
		all = append(all, props)
	}
	return all, nil
}

// sweepSystem loads one system once and runs every mix, repetition and thread count on it.
func (r *runner) sweepSystem(ctx context.Context, sr *SystemRun, mixProps []workloads.Properties) error {
	c := r.cfg
	r.printf("\n--- %s: %s ---\n", sr.ID, harness.Describe(sr.Backend))
	parent, err := harness.Prepare(harness.Options{
		Backend: sr.Backend, Properties: mixProps[0], Workload: c.Mixes[0].File, Threads: r.workers,
		ServerThreads: sr.ServerThreads, Duration: c.Duration, Seed: c.Seed,
		MemcachedBinary: c.MemcachedBinary, Machine: c.Machine, Log: r.logf,
	})
	if skip := skipReason(err); skip != "" {
		sr.Skipped = skip
		r.totalPoints -= len(c.Mixes) * len(r.threads) * c.Repetitions
		if sr.Context || errors.Is(err, harness.ErrUnavailable) {
			r.printf("SKIPPED %s: %s\n", sr.ID, skip)
		} else {
			r.warn("%s SKIPPED, a system of the paper: %s", sr.ID, skip)
		}
		return nil
	}
	if err != nil {
		return err
	}
	defer parent.Close()
	dir := filepath.Join(r.dir, ThroughputDir, sr.ID)
	if err := r.load(ctx, parent, sr, dir); err != nil {
		return err
	}
	for rep := range c.Repetitions {
		for mi, mix := range c.Mixes {
			for _, threads := range r.threads {
				seed := c.Seed + int64(rep)*1_000_003 + int64(mi)*10_007 + int64(threads)
				if err := r.point(ctx, parent, sr, dir, mix, mixProps[mi], rep, threads, seed); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// skipReason is why a system cannot be measured here, or "" when err is nil or another failure.
func skipReason(err error) string {
	if errors.Is(err, harness.ErrUnavailable) || errors.Is(err, harness.ErrInsufficientMemory) {
		return err.Error()
	}
	return ""
}

// load inserts the records once, with the loaders, and records the load's result.
func (r *runner) load(ctx context.Context, parent *harness.Benchmark, sr *SystemRun, dir string) error {
	loader, err := parent.Derive(harness.Variant{Threads: r.loadThreads, Seed: r.cfg.Seed,
		Progress: r.cfg.Progress, ProgressInterval: 10 * time.Second})
	if err != nil {
		return err
	}
	r.printf("loading %s records into %s with %d threads\n", commas(r.manifest.Records.Chosen), sr.ID, r.loadThreads)
	res, err := loader.LoadFast(ctx)
	if err != nil {
		return fmt.Errorf("load: %w", err)
	}
	res.Notes = append(res.Notes, r.notes...)
	if _, _, err := harness.WriteResultFiles(dir, res); err != nil {
		return err
	}
	sr.LoadSeconds, sr.LoadRate = res.RuntimeMs/1e3, res.Throughput
	r.printf("loaded %s records in %s (%.0f records/s)\n", commas(res.Operations), formatDuration(time.Duration(res.RuntimeMs*float64(time.Millisecond))), res.Throughput)
	return nil
}

// point runs one measured run and writes its result.
// Each run has its own seed, so repetitions draw different key streams.
func (r *runner) point(ctx context.Context, parent *harness.Benchmark, sr *SystemRun, dir string, mix Mix, props workloads.Properties, rep, threads int, seed int64) error {
	c := r.cfg
	d, err := parent.Derive(harness.Variant{Threads: threads, Properties: props, Workload: mix.File,
		Duration: c.Duration, Warmup: c.Warmup, Seed: seed})
	if err != nil {
		return err
	}
	res, err := d.Run(ctx)
	if err != nil {
		return fmt.Errorf("%s, %d threads, run %d: %w", mix.Name, threads, rep+1, err)
	}
	res.Notes = append(res.Notes, r.notes...)
	if w := harness.OversubscriptionWarning(threads); w != "" {
		res.Notes = append(res.Notes, w)
	}
	if _, _, err := harness.WriteResultFiles(dir, res); err != nil {
		return err
	}
	sr.Points++
	r.points++
	elapsed := time.Since(r.started)
	r.printf("[%3d/%d] %-10s %-18s threads %2d  run %d/%d  %10.1f kops/s   (elapsed %s)\n",
		r.points, r.totalPoints, mix.Name, sr.ID, threads, rep+1, c.Repetitions, res.Throughput/1e3, formatDuration(elapsed))
	return nil
}
