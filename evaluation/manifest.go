package evaluation

import (
	"encoding/json"
	"os"
	"path/filepath"
	"time"

	"github.com/plibcached/plibcached/harness"
)

// ManifestFile is the name of a run's metadata file in its results directory.
const ManifestFile = "manifest.json"

// Manifest is a run's metadata: what was asked, what was decided (record count, thread sweep),
// what was skipped and why, and how long each phase took. It is written when a run starts and
// rewritten as it advances, so an interrupted run still says what it did.
type Manifest struct {
	Run         string              `json:"run"`
	Command     []string            `json:"command"`
	Started     time.Time           `json:"started"`
	Finished    time.Time           `json:"finished,omitzero"` // zero while running or if interrupted
	WallSeconds float64             `json:"wall_seconds"`
	Env         harness.Environment `json:"env"`
	Records     RecordPlan          `json:"records"`
	Threads     []int               `json:"threads"`
	ThreadsNote string              `json:"threads_note,omitempty"`
	Repetitions int                 `json:"repetitions"`
	DurationS   float64             `json:"duration_seconds"` // measured time per run
	WarmupS     float64             `json:"warmup_seconds"`
	LoadThreads int                 `json:"load_threads"`
	Mixes       []Mix               `json:"mixes"`
	Systems     []SystemRun         `json:"systems"`
	Latency     LatencyRun          `json:"latency"`
	Split       *SplitRun           `json:"split,omitempty"`    // the across-processes figure, when run
	Warnings    []string            `json:"warnings,omitempty"` // everything printed as a warning
	Phases      []PhaseTime         `json:"phases"`
}

// SystemRun is one system's part of the throughput phase.
type SystemRun struct {
	System
	Skipped     string  `json:"skipped,omitempty"` // why it was not measured
	LoadSeconds float64 `json:"load_seconds,omitempty"`
	LoadRate    float64 `json:"load_records_per_sec,omitempty"`
	Points      int     `json:"points"` // runs written
}

// LatencyRun is the latency table's part.
type LatencyRun struct {
	Records int64    `json:"records"`
	Samples int      `json:"samples"`
	Files   []string `json:"files,omitempty"` // relative to the run's directory
	Skipped []string `json:"skipped,omitempty"`
	// PinnedFiles are the second table's, measured on one CPU (see LatencyConfig.Pinned).
	PinnedFiles []string `json:"pinned_files,omitempty"`
}

// PhaseTime is one phase's wall time.
type PhaseTime struct {
	Name    string  `json:"name"`
	Seconds float64 `json:"seconds"`
}

// writeManifest writes m into dir atomically (a reader never sees half a file).
func writeManifest(dir string, m *Manifest) error {
	raw, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	tmp := filepath.Join(dir, ManifestFile+".tmp")
	if err := os.WriteFile(tmp, append(raw, '\n'), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, ManifestFile))
}

// ReadManifest reads the manifest of the run in dir.
func ReadManifest(dir string) (*Manifest, error) {
	raw, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if err != nil {
		return nil, err
	}
	var m Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, err
	}
	return &m, nil
}
