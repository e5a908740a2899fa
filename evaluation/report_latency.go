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
	p.printf("\nRange of speedups here: %s (paper: 11–56×).\n\n", speedupRange(t.Speedup))
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
