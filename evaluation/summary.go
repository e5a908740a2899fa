package evaluation

import (
	"math"
	"sort"
)

// Cell is one point of a throughput figure: a system, a mix and a thread count over its
// repeated runs, in thousands of operations per second.
type Cell struct {
	System  string  `json:"system"`
	Mix     string  `json:"mix"`
	Threads int     `json:"threads"`
	Runs    int     `json:"runs"`
	Mean    float64 `json:"mean_kops"`
	StdDev  float64 `json:"stddev_kops"` // sample standard deviation; 0 for a single run
	Min     float64 `json:"min_kops"`
	Max     float64 `json:"max_kops"`
}

// Cells groups the runs into cells, ordered by system (legend order), mix and threads.
func (ds *Dataset) Cells() []Cell {
	type key struct {
		system, mix string
		threads     int
	}
	groups := map[key][]float64{}
	for _, p := range ds.Runs {
		k := key{p.System, p.Mix, p.Threads}
		groups[k] = append(groups[k], p.Throughput/1e3)
	}
	var cells []Cell
	for k, values := range groups {
		cells = append(cells, summarize(k.system, k.mix, k.threads, values))
	}
	order := map[string]int{}
	for i, s := range ds.systems() {
		order[s.ID] = i
	}
	mixOrder := map[string]int{}
	for i, m := range ds.mixes() {
		mixOrder[m.Name] = i + 1
	}
	sort.Slice(cells, func(i, j int) bool {
		a, b := cells[i], cells[j]
		if a.System != b.System {
			return order[a.System] < order[b.System]
		}
		if a.Mix != b.Mix {
			if mixOrder[a.Mix] != mixOrder[b.Mix] {
				return mixOrder[a.Mix] < mixOrder[b.Mix]
			}
			return a.Mix < b.Mix
		}
		return a.Threads < b.Threads
	})
	return cells
}

// summarize computes one cell's statistics.
func summarize(system, mix string, threads int, values []float64) Cell {
	c := Cell{System: system, Mix: mix, Threads: threads, Runs: len(values), Min: math.Inf(1), Max: math.Inf(-1)}
	var sum float64
	for _, v := range values {
		sum += v
		c.Min, c.Max = math.Min(c.Min, v), math.Max(c.Max, v)
	}
	c.Mean = sum / float64(len(values))
	if len(values) > 1 {
		var ss float64
		for _, v := range values {
			ss += (v - c.Mean) * (v - c.Mean)
		}
		c.StdDev = math.Sqrt(ss / float64(len(values)-1))
	}
	return c
}

// Peak returns the cell with the highest mean for system and mix, and false when there is none.
func Peak(cells []Cell, system, mix string) (Cell, bool) {
	var best Cell
	found := false
	for _, c := range cells {
		if c.System == system && c.Mix == mix && (!found || c.Mean > best.Mean) {
			best, found = c, true
		}
	}
	return best, found
}

// CellAt returns the cell of system and mix at threads, and false when there is none.
func CellAt(cells []Cell, system, mix string, threads int) (Cell, bool) {
	for _, c := range cells {
		if c.System == system && c.Mix == mix && c.Threads == threads {
			return c, true
		}
	}
	return Cell{}, false
}
