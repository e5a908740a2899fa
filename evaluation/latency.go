package evaluation

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/plibcached/plibcached/harness"
)

// PinnedLatencyDir holds the latency table measured with the process pinned to one CPU.
const PinnedLatencyDir = "latency-pinned"

// latency measures the latency table (one client thread, every operation of the paper's table,
// on each latency backend) and writes it; then, if configured, the same on one CPU.
func (r *runner) latency(ctx context.Context) error {
	c := r.cfg
	files, skipped, err := r.latencyTable(ctx, c.Latency.Backends, LatencyDir)
	r.manifest.Latency.Files, r.manifest.Latency.Skipped = files, skipped
	if err != nil || len(c.Latency.Pinned) == 0 {
		return err
	}
	r.printf("\nThe same with this process and the servers it starts pinned to CPU 0 (no vCPU wake-ups between client and server):\n")
	restore, err := pinProcess(0)
	if err != nil {
		r.warn("could not pin the process to one CPU, pinned latency table skipped: %v", err)
		return nil
	}
	defer restore()
	r.manifest.Latency.PinnedFiles, _, err = r.latencyTable(ctx, c.Latency.Pinned, PinnedLatencyDir)
	return err
}

// latencyTable measures one table over backends, writes it under subdir and prints it.
func (r *runner) latencyTable(ctx context.Context, backends []string, subdir string) (files, skipped []string, err error) {
	c := r.cfg
	table, err := harness.MeasureLatency(ctx, harness.LatencyOptions{
		Backends: backends, Records: c.Latency.Records, Samples: c.Latency.Samples,
		MemcachedBinary: c.MemcachedBinary, Machine: c.Machine, Seed: c.Seed,
		Progress: c.Progress, Log: r.logf,
	})
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", subdir, err)
	}
	paths, err := harness.WriteLatencyFiles(filepath.Join(r.dir, subdir), table)
	if err != nil {
		return nil, nil, err
	}
	for _, p := range paths {
		rel, _ := filepath.Rel(r.dir, p)
		files = append(files, rel)
	}
	for _, col := range table.Columns {
		if col.Skipped != "" {
			skipped = append(skipped, col.Backend+": "+col.Skipped)
		}
	}
	return files, skipped, table.Render(r.out)
}
