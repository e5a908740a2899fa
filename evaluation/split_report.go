package evaluation

import (
	"fmt"
	"strings"

	"github.com/plibcached/plibcached/plots"
)

// SplitFigure returns mix's across-processes figure at threads client threads in all: one line
// per system, throughput against the number of processes the threads are split over. ok is
// false when nothing was measured for it.
func SplitFigure(ds *Dataset, mix Mix, threads int) (fig plots.ThroughputFigure, ok bool) {
	cells := ds.SplitCells()
	fig.Title = fmt.Sprintf("%s - %d client threads split over processes - %s records", mix.Title, threads, shortCount(ds.records()))
	fig.XLabel = fmt.Sprintf("Client processes sharing one store (%d threads in all)", threads)
	for _, s := range ds.splitSystems() {
		series := plots.Series{Label: s.Title, Color: s.Color, Context: s.Context}
		for _, c := range cells {
			if c.System == s.ID && c.Mix == mix.Name && c.Threads == threads {
				series.Points = append(series.Points, plots.Point{Threads: c.Processes, Mean: c.Mean, Low: c.Min, High: c.Max})
			}
		}
		if len(series.Points) > 1 {
			fig.Series = append(fig.Series, series)
			ok = true
		}
	}
	return fig, ok
}

// splitThreads lists the total thread counts measured across processes, ascending.
func splitThreads(cells []SplitCell) []int {
	seen := map[int]bool{}
	var out []int
	for _, c := range cells {
		if !seen[c.Threads] {
			seen[c.Threads] = true
			out = append(out, c.Threads)
		}
	}
	sortInts(out)
	return out
}

// writeSplit writes one table per mix: (threads, processes) down, systems across, and how
// plib-nopku compares with the best other system at each point.
func writeSplit(p *printer, ds *Dataset) {
	cells := ds.SplitCells()
	if len(cells) == 0 {
		return
	}
	var systems []SystemRun
	for _, s := range ds.splitSystems() {
		if s.Skipped == "" {
			systems = append(systems, s)
		}
	}
	p.printf("## Across processes: the same client threads split over processes sharing one store\n\n")
	p.printf("Each point runs its threads in that many client processes, started together on one store loaded beforehand: " +
		"plib's segment and LMDB's file are mapped by every process; memcached and Redis are one server to which each process opens its own connections. " +
		"Histograms and operation counts are merged over the processes. Thousand operations / s, mean ± standard deviation.\n\n")
	for _, mix := range ds.mixes() {
		p.printf("### %s\n\n| threads × processes |", mix.Title)
		for _, s := range systems {
			p.printf(" %s |", s.ID)
		}
		p.printf(" plib-nopku / best other |\n|---|%s---:|\n", strings.Repeat("---:|", len(systems)))
		for _, t := range splitThreads(cells) {
			for _, c := range cells {
				if c.System != systems[0].ID || c.Mix != mix.Name || c.Threads != t {
					continue
				}
				writeSplitRow(p, cells, systems, mix.Name, t, c.Processes)
			}
		}
		p.printf("\n")
	}
}

// writeSplitRow writes one (threads, processes) row and its ratio.
func writeSplitRow(p *printer, cells []SplitCell, systems []SystemRun, mix string, threads, procs int) {
	p.printf("| %d over %d |", threads, procs)
	plib, best, bestID := 0.0, 0.0, ""
	for _, s := range systems {
		c, ok := splitCellAt(cells, s.ID, mix, threads, procs)
		if !ok {
			p.printf(" |")
			continue
		}
		p.printf(" %.1f ± %.1f |", c.Mean, c.StdDev)
		switch {
		case s.ID == "plib-nopku":
			plib = c.Mean
		case !strings.HasPrefix(s.ID, "plib-") && c.Mean > best:
			best, bestID = c.Mean, s.ID
		}
	}
	if plib > 0 && best > 0 {
		p.printf(" %.1f× (%s) |\n", plib/best, bestID)
	} else {
		p.printf(" n/a |\n")
	}
}

// sortInts sorts a short list ascending.
func sortInts(list []int) {
	for i := 1; i < len(list); i++ {
		for j := i; j > 0 && list[j] < list[j-1]; j-- {
			list[j], list[j-1] = list[j-1], list[j]
		}
	}
}
