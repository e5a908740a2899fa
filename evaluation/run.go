package evaluation

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/plibcached/plibcached/harness"
)

// Subdirectories and files of a run's results directory.
const (
	ThroughputDir = "throughput" // throughput/<system>/ycsb-{load,run}-*.{json,csv}
	LatencyDir    = "latency"    // latency/latency-<time>.{json,csv,md}
)

// runner is one evaluation in progress.
type runner struct {
	cfg         Config
	out         io.Writer
	dir         string // results/<name>
	manifest    *Manifest
	threads     []int
	loadThreads int
	workers     int // the most workers any phase opens: sizes the backends
	notes       []string
	started     time.Time
	points      int // runs done, for the progress lines
	totalPoints int
}

// Run runs the evaluation c end to end: the throughput sweeps and the latency table into
// <ResultsRoot>/<Name>, then the tables (there) and the figures (<PlotsRoot>/<Name>), all
// rendered from the files written, as cmd/plots renders them. A system that cannot run here
// (no PKU, no memcached) is skipped and the reason recorded; any other failure stops the run.
// The previous results of a run of the same name are replaced.
func Run(ctx context.Context, c Config) (*Manifest, error) {
	c = c.withDefaults()
	if err := c.validate(); err != nil {
		return nil, err
	}
	r := &runner{cfg: c, out: c.Out, dir: filepath.Join(c.ResultsRoot, c.Name), started: time.Now()}
	if err := r.plan(); err != nil {
		return nil, err
	}
	if err := r.clearPrevious(); err != nil {
		return nil, err
	}
	if err := r.save(); err != nil {
		return nil, err
	}
	r.printPlan()
	err := r.phase("throughput", func() error { return r.throughput(ctx) })
	if err == nil && r.manifest.Split != nil {
		err = r.phase("processes", func() error { return r.split(ctx) })
	}
	if err == nil {
		err = r.phase("latency", func() error { return r.latency(ctx) })
	}
	r.manifest.WallSeconds = time.Since(r.started).Seconds()
	if err != nil {
		r.save()
		return r.manifest, err
	}
	r.manifest.Finished = time.Now().UTC()
	if err := r.save(); err != nil {
		return r.manifest, err
	}
	if err := r.render(); err != nil {
		return r.manifest, err
	}
	return r.manifest, nil
}

// withDefaults fills in what was left zero.
func (c Config) withDefaults() Config {
	if c.Out == nil {
		c.Out = io.Discard
	}
	if c.Seed == 0 {
		c.Seed = 1
	}
	if c.Latency.Backends == nil {
		c.Latency.Backends = harness.DefaultLatencyBackends
	}
	return c
}

// plan decides the thread sweep, the loaders and the record count, and starts the manifest.
func (r *runner) plan() error {
	c := r.cfg
	env := harness.CaptureEnvironment(c.Machine, c.MemcachedBinary)
	var threadsNote string
	r.threads, threadsNote = planThreads(c.Threads, env.Cores)
	r.loadThreads = c.LoadThreads
	if r.loadThreads == 0 {
		r.loadThreads = min(max(4, 2*runtime.NumCPU()), 32)
	}
	r.workers = max(slices.Max(r.threads), r.loadThreads)
	records, err := planRecords(c, r.workers)
	if err != nil {
		return err
	}
	r.manifest = &Manifest{
		Run: c.Name, Command: os.Args, Started: r.started.UTC(), Env: env, Records: records,
		Threads: r.threads, ThreadsNote: threadsNote, Repetitions: c.Repetitions,
		DurationS: c.Duration.Seconds(), WarmupS: c.Warmup.Seconds(), LoadThreads: r.loadThreads,
		Mixes: c.Mixes, Latency: LatencyRun{Records: c.Latency.Records, Samples: c.Latency.Samples},
	}
	available := 0
	for _, s := range c.Systems {
		sr := SystemRun{System: s, Skipped: unavailable(s, c.MemcachedBinary)}
		if sr.Skipped == "" {
			available++
		}
		r.manifest.Systems = append(r.manifest.Systems, sr)
	}
	if records.Scaled {
		r.notes = append(r.notes, fmt.Sprintf("recordcount scaled down from the paper's %s to %s: %s", commas(PaperRecords), commas(records.Chosen), records.Reason))
	}
	r.totalPoints = len(c.Mixes)*available*len(r.threads)*c.Repetitions + r.planSplit()
	return nil
}

// unavailable says why system cannot run here (no PKU, no memcached binary), or "" when it can:
// known before the plan is printed, so that the plan and its estimate leave it out.
func unavailable(s System, memcachedBinary string) string {
	b, err := harness.Open(s.Backend, harness.Config{RecordCount: 100, MaxKeySize: 32, MaxValueSize: 128,
		Workers: 1, ServerThreads: 1, MemcachedBinary: memcachedBinary})
	if errors.Is(err, harness.ErrUnavailable) || errors.Is(err, harness.ErrUnknownBackend) {
		return err.Error()
	}
	if err == nil {
		b.Close()
	}
	return "" // any other failure will recur, and be reported, when the system runs
}

// clearPrevious removes what an earlier run of the same name left: its raw data, tables and
// figures. Nothing else in the directories is touched.
func (r *runner) clearPrevious() error {
	for _, p := range []string{ThroughputDir, SplitDir, LatencyDir, PinnedLatencyDir, ManifestFile} {
		if err := os.RemoveAll(filepath.Join(r.dir, p)); err != nil {
			return err
		}
	}
	for _, pattern := range []string{filepath.Join(r.dir, "*.md"), filepath.Join(r.dir, "*.csv"),
		filepath.Join(r.plotsDir(), "*.png"), filepath.Join(r.plotsDir(), "*.svg")} {
		old, _ := filepath.Glob(pattern)
		for _, f := range old {
			if err := os.Remove(f); err != nil {
				return err
			}
		}
	}
	return os.MkdirAll(r.dir, 0o755)
}

// plotsDir is where the run's figures go.
func (r *runner) plotsDir() string { return filepath.Join(r.cfg.PlotsRoot, r.cfg.Name) }

// save writes the manifest as it stands.
func (r *runner) save() error { return writeManifest(r.dir, r.manifest) }

// phase runs one phase, records its wall time and saves the manifest.
func (r *runner) phase(name string, body func() error) error {
	start := time.Now()
	r.printf("\n=== %s phase ===\n", name)
	err := body()
	r.manifest.Phases = append(r.manifest.Phases, PhaseTime{Name: name, Seconds: time.Since(start).Seconds()})
	r.printf("=== %s phase: %s ===\n", name, formatDuration(time.Since(start)))
	if saveErr := r.save(); err == nil {
		err = saveErr
	}
	return err
}

// render tabulates and plots the run from its files, and prints the summary.
func (r *runner) render() error {
	start := time.Now()
	ds, err := LoadDataset(r.dir)
	if err != nil {
		return err
	}
	tables, err := WriteTables(ds, r.dir)
	if err != nil {
		return err
	}
	figures, err := RenderPlots(ds, r.plotsDir())
	if err != nil {
		return err
	}
	r.manifest.Phases = append(r.manifest.Phases, PhaseTime{Name: "tables and plots", Seconds: time.Since(start).Seconds()})
	r.manifest.WallSeconds = time.Since(r.started).Seconds()
	if err := r.save(); err != nil {
		return err
	}
	ds.Manifest = r.manifest
	r.printf("\n")
	if err := WriteSummary(r.out, ds); err != nil {
		return err
	}
	r.printf("\nTables:  %s\nFigures: %s\nRaw data and metadata: %s\nWall time: %s\n",
		strings.Join(tables, ", "), strings.Join(figures, ", "), r.dir, formatDuration(time.Since(r.started)))
	return nil
}

// printf writes to the report.
func (r *runner) printf(format string, args ...any) { fmt.Fprintf(r.out, format, args...) }

// logf is the harness's notice sink.
func (r *runner) logf(format string, args ...any) { r.printf("  "+format+"\n", args...) }

// warn prints a warning and records it in the manifest.
func (r *runner) warn(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	r.manifest.Warnings = append(r.manifest.Warnings, msg)
	r.printf("WARNING: %s\n", msg)
}
