package evaluation

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/plibcached/plibcached/harness"
)

// Dataset is a run's results as read back from its directory: the figures and tables are drawn
// from this, never from memory, so that they can be regenerated from the files alone.
type Dataset struct {
	Dir      string
	Manifest *Manifest // nil when the directory has none (figures then take PaperSystems' styles)
	Runs     []RunPoint
	Loads    []RunPoint // one per system: the load phase
	Latency  *harness.LatencyTable
	// LatencyPinned is the latency table measured on one CPU, or nil.
	LatencyPinned *harness.LatencyTable
	// Split are the across-processes runs (processes/), merged over each run's processes.
	Split []SplitPoint
}

// RunPoint is one result file's headline.
type RunPoint struct {
	System     string  // the system's directory name under throughput/
	Mix        string  // the mix's name ("readheavy"), from the result's workload
	Threads    int     // client threads
	Throughput float64 // operations per second
	Records    int64
	File       string // relative to the dataset's directory
}

// LoadDataset reads the run in dir: manifest.json, throughput/<system>/ycsb-*.json and the newest
// latency/latency-*.json and latency-pinned/latency-*.json. A run without a manifest or without a latency table still loads; a
// directory with neither throughput nor latency results is ErrNoResults.
func LoadDataset(dir string) (*Dataset, error) {
	ds := &Dataset{Dir: dir}
	m, err := ReadManifest(dir)
	switch {
	case err == nil:
		ds.Manifest = m
	case !errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, ManifestFile), err)
	}
	if err := ds.readThroughput(); err != nil {
		return nil, err
	}
	if err := ds.readSplit(); err != nil {
		return nil, err
	}
	if ds.Latency, err = readLatency(filepath.Join(dir, LatencyDir)); err != nil {
		return nil, err
	}
	if ds.LatencyPinned, err = readLatency(filepath.Join(dir, PinnedLatencyDir)); err != nil {
		return nil, err
	}
	if len(ds.Runs) == 0 && ds.Latency == nil && len(ds.Split) == 0 {
		return nil, fmt.Errorf("%w in %s", ErrNoResults, dir)
	}
	return ds, nil
}

// readThroughput reads every result file under throughput/.
func (ds *Dataset) readThroughput() error {
	return ds.eachResult(ThroughputDir, "ycsb-*.json", func(res *harness.Result, p RunPoint) {
		if res.Phase == "load" {
			ds.Loads = append(ds.Loads, p)
		} else {
			ds.Runs = append(ds.Runs, p)
		}
	})
}

// eachResult reads, in name order, every result file matching pattern in the system
// directories under dir, and hands each to f with its headline (threads as the file says).
func (ds *Dataset) eachResult(dir, pattern string, f func(res *harness.Result, p RunPoint)) error {
	files, err := filepath.Glob(filepath.Join(ds.Dir, dir, "*", pattern))
	if err != nil {
		return err
	}
	sort.Strings(files)
	for _, path := range files {
		res, err := readResult(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(ds.Dir, path)
		f(res, RunPoint{System: filepath.Base(filepath.Dir(path)), Mix: ds.mixName(res.Workload), Threads: res.Threads,
			Throughput: res.Throughput, Records: parseInt(res.Properties["recordcount"]), File: rel})
	}
	return nil
}

// readResult reads one harness result file.
func readResult(path string) (*harness.Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	res, err := harness.ReadResultJSON(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return res, nil
}

// readLatency reads the newest latency table in dir; nil when there is none.
func readLatency(dir string) (*harness.LatencyTable, error) {
	files, err := filepath.Glob(filepath.Join(dir, "latency-*.json"))
	if err != nil || len(files) == 0 {
		return nil, err
	}
	sort.Strings(files) // names carry the time: the last is the newest
	path := files[len(files)-1]
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var t harness.LatencyTable
	if err := json.Unmarshal(raw, &t); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &t, nil
}

// mixName maps a result's workload (a property file, "paper-readheavy") to its mix's name.
func (ds *Dataset) mixName(workload string) string {
	for _, m := range ds.mixes() {
		if m.File == workload || m.Name == workload {
			return m.Name
		}
	}
	return strings.TrimPrefix(workload, "paper-")
}

// mixes are the run's mixes: the manifest's, else the paper's.
func (ds *Dataset) mixes() []Mix {
	if ds.Manifest != nil && len(ds.Manifest.Mixes) > 0 {
		return ds.Manifest.Mixes
	}
	return PaperMixes
}

// systems are the run's systems in legend order, with their skip reasons: the manifest's, else
// the paper's systems that have results, then any other directory found, in name order.
func (ds *Dataset) systems() []SystemRun {
	var out []SystemRun
	known := map[string]bool{}
	if ds.Manifest != nil {
		out = append(out, ds.Manifest.Systems...)
	} else {
		for _, s := range PaperSystems {
			out = append(out, SystemRun{System: s})
		}
	}
	for _, s := range out {
		known[s.ID] = true
	}
	var extra []string
	for _, p := range ds.Runs {
		if !known[p.System] {
			known[p.System] = true
			extra = append(extra, p.System)
		}
	}
	sort.Strings(extra)
	for i, id := range extra {
		out = append(out, SystemRun{System: System{ID: id, Backend: id, Title: id, Color: len(PaperSystems) + i}})
	}
	return out
}

// records is the run's record count: the manifest's, else the results'.
func (ds *Dataset) records() int64 {
	if ds.Manifest != nil {
		return ds.Manifest.Records.Chosen
	}
	for _, p := range ds.Runs {
		return p.Records
	}
	return 0
}

// parseInt parses a decimal, 0 on error.
func parseInt(s string) int64 {
	var n int64
	fmt.Sscan(s, &n)
	return n
}
