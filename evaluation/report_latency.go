package evaluation

import (
	"fmt"
	"strings"

	"github.com/plibcached/plibcached/harness"
	"github.com/plibcached/plibcached/plots"
)

// writeLatency writes a measured table beside the paper's, under heading, with its caption and
// the speedups.
func writeLatency(p *printer, t *harness.LatencyTable, heading string) {
	p.printf("%s\n\n", heading)
	for _, line := range t.Caption() {
		p.printf("- %s\n", line)
	}
	p.printf("\n| operation |")
	var cols []harness.LatencyColumn
	for _, c := range t.Columns {
		if c.Skipped == "" {
			cols = append(cols, c)
			p.printf(" %s |", c.Backend)
		}
	}
	p.printf(" speedup: memcached / %s | paper: memcached | paper: plib w/ Hodor | paper: plib no Hodor | paper: speedup |\n|---|%s\n",
		orNone(t.SpeedupTarget, "plib"), strings.Repeat("---:|", len(cols)+5))
	for i, row := range t.Rows {
		p.printf("| %s |", row)
		for _, c := range cols {
			p.printf(" %s |", plots.Micros(c.Cells[i].MeanNs/1e3))
		}
		if i < len(t.Speedup) && t.Speedup[i] > 0 {
			p.printf(" %.0f× |", t.Speedup[i])
		} else {
			p.printf(" n/a |")
		}
		if paper, ok := PaperLatency[row]; ok {
			p.printf(" %g | %g | %g | %g× |\n", paper.Memcached, paper.PlibPKU, paper.PlibNoPKU, paper.Speedup)
		} else {
			p.printf(" | | | |\n")
		}
	}
	p.printf("\nRange of speedups here: %s (paper: 11–56×).\n", speedupRange(t.Speedup))
	var context []string
	for _, c := range cols {
		if contextBackends[c.Backend] {
			context = append(context, c.Backend)
		}
	}
	if len(context) > 0 {
		p.printf("Columns %s: context, not in the paper.\n", strings.Join(context, ", "))
	}
	writeLatencyPeerRatios(p, t, cols)
	p.printf("\n")
}

// writeLatencyPeerRatios writes, per operation, plib-nopku's mean against the fastest column
// that is neither plib nor the in-process Go map: above 1× the peer is faster.
func writeLatencyPeerRatios(p *printer, t *harness.LatencyTable, cols []harness.LatencyColumn) {
	plib := -1
	for i, c := range cols {
		if c.Backend == "plib-nopku" {
			plib = i
		}
	}
	if plib < 0 {
		return
	}
	var parts []string
	for row, op := range t.Rows {
		best, bestName := 0.0, ""
		for _, c := range cols {
			if strings.HasPrefix(c.Backend, "plib") || c.Backend == "gomap" || row >= len(c.Cells) {
				continue
			}
			if m := c.Cells[row].MeanNs; m > 0 && (best == 0 || m < best) {
				best, bestName = m, c.Backend
			}
		}
		if mine := cols[plib].Cells[row].MeanNs; best > 0 && mine > 0 {
			parts = append(parts, fmt.Sprintf("%s %.1f× (over %s)", op, best/mine, bestName))
		}
	}
	if len(parts) > 0 {
		p.printf("plib-nopku's speedup over the fastest other store per operation (memcached, Redis, LMDB; that store's mean over plib-nopku's, so below 1× that store is faster): %s.\n", strings.Join(parts, "; "))
	}
}

// speedupRange renders the smallest and largest positive speedups.
func speedupRange(speedups []float64) string {
	lo, hi := 0.0, 0.0
	for _, s := range speedups {
		if s <= 0 {
			continue
		}
		if lo == 0 || s < lo {
			lo = s
		}
		hi = max(hi, s)
	}
	if lo == 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.0f–%.0f×", lo, hi)
}
