package evaluation

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// WriteSummary writes the run's tables in Markdown: how and where it was measured, the
// throughput peaks and per-thread figures, the latency table beside the paper's, and everything
// skipped or warned about. It is the run's summary.md and what `make reproduce` prints at the end.
func WriteSummary(w io.Writer, ds *Dataset) error {
	p := &printer{w: w}
	name := lastElement(ds.Dir)
	if ds.Manifest != nil {
		name = ds.Manifest.Run
	}
	p.printf("# Evaluation run `%s`\n\n", name)
	p.printf("Generated from the raw results in this directory by `go run ./cmd/plots -run %s` (never edited by hand).\n\n", name)
	writeSetup(p, ds)
	cells := ds.Cells()
	if len(cells) > 0 {
		writePeaks(p, ds, cells)
		writePerThreads(p, ds, cells)
	}
	writeSplit(p, ds)
	if ds.Latency != nil {
		writeLatency(p, ds.Latency, "## Latency: mean µs per operation, one client thread")
	}
	if ds.LatencyPinned != nil {
		writeLatency(p, ds.LatencyPinned, "## Latency with the process and its servers pinned to one CPU (diagnostic)\n\n"+
			"In a virtual machine a socket round trip between two vCPUs waits for the hypervisor to wake the halted one. "+
			"On one CPU a round trip is two context switches, closer to the paper's busy bare-metal machine; "+
			"the in-process figures barely move.")
	}
	writeSkipped(p, ds)
	return p.err
}

// printer accumulates the first write error.
type printer struct {
	w   io.Writer
	err error
}

func (p *printer) printf(format string, args ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format, args...)
	}
}

// lastElement is the last element of a path.
func lastElement(dir string) string {
	parts := strings.Split(strings.TrimRight(dir, "/"), "/")
	return parts[len(parts)-1]
}

// writeSetup writes the table of where and how the run was measured.
func writeSetup(p *printer, ds *Dataset) {
	m := ds.Manifest
	if m == nil {
		p.printf("(no manifest.json: setup unknown)\n\n")
		return
	}
	p.printf("| | |\n|---|---|\n")
	p.printf("| machine | %s: %s, %d cores, kernel %s |\n", m.Env.Hostname, m.Env.CPUModel, m.Env.Cores, m.Env.Kernel)
	p.printf("| software | %s, %s, %s, git %s |\n", m.Env.GoVersion, orNone(m.Env.MemcachedVersion, "memcached not found"),
		orNone(redisShort(m.Env.RedisVersion), "redis-server: none recorded"), orNone(shortCommit(m.Env.GitCommit), "unknown"))
	p.printf("| PKU | %s |\n", pkuLine(m))
	records := commas(m.Records.Chosen) + ", the paper's count"
	if m.Records.Scaled {
		records = fmt.Sprintf("**%s — SCALED DOWN from the paper's %s**: %s", commas(m.Records.Chosen), commas(PaperRecords), m.Records.Reason)
	}
	p.printf("| records | %s |\n", records)
	p.printf("| client threads | %s%s |\n", joinInts(m.Threads), prefixed("; ", m.ThreadsNote))
	p.printf("| runs | %d per point, %gs measured after %gs warm-up; error bars span the lowest to the highest run |\n", m.Repetitions, m.DurationS, m.WarmupS)
	wall := "interrupted or still running"
	if !m.Finished.IsZero() {
		wall = formatDuration(time.Duration(m.WallSeconds * float64(time.Second)))
	}
	p.printf("| started, wall time | %s, %s |\n", m.Started.Format(time.RFC3339), wall)
	p.printf("| phases | %s |\n\n", phaseList(m.Phases))
}

// pkuLine says whether the run measured plib with PKU.
func pkuLine(m *Manifest) string {
	if m.Env.PKU {
		return "yes: plib-pku measured with protection keys"
	}
	return "**no** (this CPU or kernel lacks pku/ospke): plib-pku could not be measured; the no-PKU figures stand for the paper's \"No Hodor\" line"
}

// writePeaks writes each system's peak per mix and the plib/memcached ratios.
func writePeaks(p *printer, ds *Dataset, cells []Cell) {
	mixes := ds.mixes()
	p.printf("## Throughput: each system's peak (thousand operations / s)\n\n| system | paper's legend |")
	for _, mix := range mixes {
		p.printf(" %s: peak (threads) |", mix.Title)
	}
	p.printf("\n|---|---|%s\n", strings.Repeat("---:|", len(mixes)))
	for _, s := range ds.systems() {
		p.printf("| %s | %s |", s.ID, orNone(s.Paper, "(context: not in the paper)"))
		for _, mix := range mixes {
			if c, ok := Peak(cells, s.ID, mix.Name); ok {
				p.printf(" %.1f (%d) |", c.Mean, c.Threads)
			} else {
				p.printf(" not run |")
			}
		}
		p.printf("\n")
	}
	p.printf("\nPeak ratio, plib over the better memcached (paper: %s):\n\n", PaperThroughputClaim)
	for _, plib := range []string{"plib-pku", "plib-nopku"} {
		for _, mix := range mixes {
			top, ok := Peak(cells, plib, mix.Name)
			best, okM := bestMemcachedPeak(cells, mix.Name)
			if ok && okM && best.Mean > 0 {
				p.printf("- %s, %s: %.1f× (%.1f vs %s's %.1f kops/s)\n", plib, mix.Name, top.Mean/best.Mean, top.Mean, best.System, best.Mean)
			}
		}
	}
	writePeerRatios(p, ds, cells)
	p.printf("\n")
}

// writePeerRatios writes plib-nopku's peak over the best peak of every system that is neither
// plib nor the in-process Go map: memcached, Redis, LMDB (context: not in the paper).
func writePeerRatios(p *printer, ds *Dataset, cells []Cell) {
	first := true
	for _, mix := range ds.mixes() {
		top, ok := Peak(cells, "plib-nopku", mix.Name)
		var best Cell
		for _, s := range ds.systems() {
			if strings.HasPrefix(s.Backend, "plib") || s.Backend == "gomap" {
				continue
			}
			if c, found := Peak(cells, s.ID, mix.Name); found && c.Mean > best.Mean {
				best = c
			}
		}
		if !ok || best.Mean <= 0 {
			continue
		}
		if first {
			p.printf("\nPeak ratio, plib-nopku over the best other store (memcached, Redis, LMDB; not the Go map):\n\n")
			first = false
		}
		p.printf("- %s: %.1f× (%.1f vs %s's %.1f kops/s at %d threads)\n", mix.Name, top.Mean/best.Mean, top.Mean, best.System, best.Mean, best.Threads)
	}
}

// bestMemcachedPeak is the higher peak of the paper's two memcached systems.
func bestMemcachedPeak(cells []Cell, mix string) (Cell, bool) {
	var best Cell
	found := false
	for _, id := range []string{"memcached-8t", "memcached-4t"} {
		if c, ok := Peak(cells, id, mix); ok && (!found || c.Mean > best.Mean) {
			best, found = c, true
		}
	}
	return best, found
}

// writePerThreads writes one table per mix: thread counts down, systems across.
func writePerThreads(p *printer, ds *Dataset, cells []Cell) {
	var systems []SystemRun
	for _, s := range ds.systems() {
		if s.Skipped == "" {
			systems = append(systems, s)
		}
	}
	for _, mix := range ds.mixes() {
		threads := threadsOf(cells, mix.Name)
		if len(threads) == 0 {
			continue
		}
		p.printf("### %s: mean ± standard deviation, thousand operations / s\n\n| threads |", mix.Title)
		for _, s := range systems {
			p.printf(" %s |", s.ID)
		}
		p.printf("\n|---:|%s\n", strings.Repeat("---:|", len(systems)))
		for _, t := range threads {
			p.printf("| %d |", t)
			for _, s := range systems {
				if c, ok := CellAt(cells, s.ID, mix.Name, t); ok {
					p.printf(" %.1f ± %.1f |", c.Mean, c.StdDev)
				} else {
					p.printf(" |")
				}
			}
			p.printf("\n")
		}
		p.printf("\n")
	}
}

// threadsOf lists the thread counts measured for mix, ascending.
func threadsOf(cells []Cell, mix string) []int {
	seen := map[int]bool{}
	var out []int
	for _, c := range cells {
		if c.Mix == mix && !seen[c.Threads] {
			seen[c.Threads] = true
			out = append(out, c.Threads)
		}
	}
	slices.Sort(out)
	return out
}

// writeSkipped lists what was not measured and every warning.
func writeSkipped(p *printer, ds *Dataset) {
	m := ds.Manifest
	if m == nil {
		return
	}
	var lines []string
	for _, s := range m.Systems {
		if s.Skipped != "" {
			lines = append(lines, fmt.Sprintf("- throughput, %s: %s", s.ID, s.Skipped))
		}
	}
	for _, s := range m.Latency.Skipped {
		lines = append(lines, "- latency, "+s)
	}
	if len(lines) > 0 {
		p.printf("## Not measured\n\n%s\n\n", strings.Join(lines, "\n"))
	}
	if len(m.Warnings) > 0 {
		p.printf("## Warnings\n\n- %s\n", strings.Join(m.Warnings, "\n- "))
	}
}

// redisShort shortens "Redis server v=7.0.15 sha=... build=..." to "redis-server 7.0.15".
func redisShort(v string) string {
	for _, f := range strings.Fields(v) {
		if rest, ok := strings.CutPrefix(f, "v="); ok {
			return "redis-server " + rest
		}
	}
	return v
}

// shortCommit is the first 12 characters of a commit id.
func shortCommit(c string) string { return c[:min(len(c), 12)] }

// prefixed returns prefix+s, or "" when s is empty.
func prefixed(prefix, s string) string {
	if s == "" {
		return ""
	}
	return prefix + s
}

// phaseList renders the phases' wall times.
func phaseList(phases []PhaseTime) string {
	var parts []string
	for _, ph := range phases {
		parts = append(parts, fmt.Sprintf("%s %s", ph.Name, formatDuration(time.Duration(ph.Seconds*float64(time.Second)))))
	}
	return orNone(strings.Join(parts, ", "), "none recorded")
}
