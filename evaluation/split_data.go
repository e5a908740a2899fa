package evaluation

import (
	"sort"

	"github.com/plibcached/plibcached/harness"
)

// SplitCell is one point of the across-processes figure: a system, a mix, Threads client
// threads in all over Processes processes, over its repeated runs (thousand operations / s).
type SplitCell struct {
	Cell
	Processes int `json:"processes"`
}

// readSplit reads every merged result under processes/.
func (ds *Dataset) readSplit() error {
	return ds.eachResult(SplitDir, "ycsb-run-*.json", func(res *harness.Result, p RunPoint) {
		procs := max(res.Processes, 1)
		p.Threads *= procs // each process ran res.Threads
		ds.Split = append(ds.Split, SplitPoint{RunPoint: p, Processes: procs})
	})
}

// SplitPoint is one across-processes result file's headline: Threads is the total over all
// Processes.
type SplitPoint struct {
	RunPoint
	Processes int
}

// SplitCells groups the across-processes runs into cells, by system (the manifest's order),
// mix, threads and processes.
func (ds *Dataset) SplitCells() []SplitCell {
	type key struct {
		system, mix        string
		threads, processes int
	}
	groups := map[key][]float64{}
	for _, p := range ds.Split {
		k := key{p.System, p.Mix, p.Threads, p.Processes}
		groups[k] = append(groups[k], p.Throughput/1e3)
	}
	order := map[string]int{}
	for i, s := range ds.splitSystems() {
		order[s.ID] = i
	}
	var cells []SplitCell
	for k, values := range groups {
		cells = append(cells, SplitCell{Cell: summarize(k.system, k.mix, k.threads, values), Processes: k.processes})
	}
	sort.Slice(cells, func(i, j int) bool {
		a, b := cells[i], cells[j]
		switch {
		case a.System != b.System:
			return order[a.System] < order[b.System]
		case a.Mix != b.Mix:
			return a.Mix < b.Mix
		case a.Threads != b.Threads:
			return a.Threads < b.Threads
		}
		return a.Processes < b.Processes
	})
	return cells
}

// splitSystems are the across-processes systems in legend order: the manifest's, else those
// found, styled as AllSystems styles them.
func (ds *Dataset) splitSystems() []SystemRun {
	if ds.Manifest != nil && ds.Manifest.Split != nil {
		return ds.Manifest.Split.Systems
	}
	seen := map[string]bool{}
	var out []SystemRun
	for _, p := range ds.Split {
		if seen[p.System] {
			continue
		}
		seen[p.System] = true
		s := System{ID: p.System, Backend: p.System, Title: p.System, Color: len(AllSystems())}
		for _, known := range AllSystems() {
			if known.ID == p.System {
				s = known
			}
		}
		out = append(out, SystemRun{System: s})
	}
	return out
}

// splitCellAt returns the cell of system and mix at threads over processes.
func splitCellAt(cells []SplitCell, system, mix string, threads, processes int) (SplitCell, bool) {
	for _, c := range cells {
		if c.System == system && c.Mix == mix && c.Threads == threads && c.Processes == processes {
			return c, true
		}
	}
	return SplitCell{}, false
}
