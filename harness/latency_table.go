package harness

import (
	"fmt"
	"strings"
)

// LatencyTable is the paper's per-operation latency table (slide 15), measured here: one row per
// operation, one column per backend, and the speedup of SpeedupOver over SpeedupBaseline.
type LatencyTable struct {
	Options LatencyOptions  `json:"options"`
	Env     Environment     `json:"env"`
	Clock   ClockCost       `json:"clock"`
	Rows    []string        `json:"rows"`
	Columns []LatencyColumn `json:"columns"`
	// Speedup[i] is the baseline's mean over the target's mean for Rows[i]; 0 when not computable.
	Speedup []float64 `json:"speedup"`
	// SpeedupTarget is the backend the speedup is computed for ("" when none was available), and
	// SpeedupNote says which and why.
	SpeedupTarget string `json:"speedup_target"`
	SpeedupNote   string `json:"speedup_note"`
}

// LatencyColumn is one backend's cells, or the reason it was skipped.
type LatencyColumn struct {
	Backend string        `json:"backend"`
	Skipped string        `json:"skipped,omitempty"` // why the backend was not measured; "" if it was
	Cells   []LatencyCell `json:"cells,omitempty"`   // in Rows order
}

// Column returns the column of backend, or nil.
func (t *LatencyTable) Column(backend string) *LatencyColumn {
	for i := range t.Columns {
		if t.Columns[i].Backend == backend {
			return &t.Columns[i]
		}
	}
	return nil
}

// measured reports whether backend has cells.
func (t *LatencyTable) measured(backend string) bool {
	c := t.Column(backend)
	return c != nil && c.Skipped == "" && len(c.Cells) == len(t.Rows)
}

// computeSpeedup picks the first measured backend of SpeedupOver and divides the baseline's means
// by its means, noting any fallback.
func (t *LatencyTable) computeSpeedup() {
	base := t.Options.SpeedupBaseline
	t.Speedup = make([]float64, len(t.Rows))
	if !t.measured(base) {
		t.SpeedupNote = fmt.Sprintf("Speedup: n/a, the baseline %s was not measured", base)
		return
	}
	var passed []string
	for _, target := range t.Options.SpeedupOver {
		if !t.measured(target) {
			passed = append(passed, target)
			continue
		}
		t.SpeedupTarget = target
		for i := range t.Rows {
			if tm := t.Column(target).Cells[i].MeanNs; tm > 0 {
				t.Speedup[i] = t.Column(base).Cells[i].MeanNs / tm
			}
		}
		t.SpeedupNote = fmt.Sprintf("Speedup: %s mean / %s mean", base, target)
		if len(passed) > 0 {
			t.SpeedupNote += fmt.Sprintf(" (%s not measured, so %s instead)", strings.Join(passed, ", "), target)
		}
		return
	}
	t.SpeedupNote = fmt.Sprintf("Speedup: n/a, none of %s was measured", strings.Join(t.Options.SpeedupOver, ", "))
}

// Caption returns the lines printed above the table: what each cell holds and how it was
// measured, the clock's cost, the speedup's definition, and the skipped columns.
func (t *LatencyTable) Caption() []string {
	o := t.Options
	lines := []string{
		fmt.Sprintf("Per-operation latency in µs; each cell is mean / p50 / p99 over %d timed samples, one client thread, one backend at a time.", o.Samples),
		fmt.Sprintf("Preloaded: %d records of %d B and %d of %d B (Get and Set read and overwrite random ones, every read verified by checksum); %d keys for Delete, each deleted once; %d counters for Increment.",
			o.Records, o.SmallValue, o.LargeRecords, o.LargeValue, o.Samples*o.BatchSize+latencyWarmupOps+latencyPilotOps, o.Counters),
		fmt.Sprintf("Clock: time.Now() pairs cost %.0f ns (median; min %.0f ns, over %d back-to-back pairs); the median is subtracted from every timed interval.",
			t.Clock.MedianNs, t.Clock.MinNs, t.Clock.Pairs),
		fmt.Sprintf("Cells marked * time batches of %d operations (a %d-operation pilot averaged under %v): their mean is exact, their p50/p99 are over batch means, not single operations. Unmarked cells time each operation singly.",
			o.BatchSize, latencyPilotOps, o.BatchBelow),
		t.SpeedupNote + ".",
	}
	for _, c := range t.Columns {
		if c.Skipped != "" {
			lines = append(lines, fmt.Sprintf("Skipped %s: %s.", c.Backend, c.Skipped))
		}
	}
	return lines
}

// header returns the column titles.
func (t *LatencyTable) header() []string {
	h := []string{"Operation"}
	for _, c := range t.Columns {
		title := c.Backend
		if c.Skipped != "" {
			title += " (skipped)"
		}
		h = append(h, title)
	}
	return append(h, "Speedup")
}

// cellRows returns the table body as text: "mean / p50 / p99", a * for batched cells.
func (t *LatencyTable) cellRows() [][]string {
	rows := make([][]string, len(t.Rows))
	for i, op := range t.Rows {
		row := []string{op}
		for _, c := range t.Columns {
			if c.Skipped != "" || i >= len(c.Cells) {
				row = append(row, "skipped")
				continue
			}
			cell := c.Cells[i]
			text := fmt.Sprintf("%s / %s / %s", formatMicros(cell.MeanNs), formatMicros(cell.P50Ns), formatMicros(cell.P99Ns))
			if cell.Batch > 1 {
				text += " *"
			}
			row = append(row, text)
		}
		speedup := "n/a"
		if t.Speedup[i] > 0 {
			speedup = fmt.Sprintf("%.1fx", t.Speedup[i])
		}
		rows[i] = append(row, speedup)
	}
	return rows
}

// formatMicros renders nanoseconds as microseconds with three significant digits.
func formatMicros(ns float64) string {
	us := ns / 1e3
	switch {
	case us < 1:
		return fmt.Sprintf("%.3f", us)
	case us < 10:
		return fmt.Sprintf("%.2f", us)
	case us < 100:
		return fmt.Sprintf("%.1f", us)
	}
	return fmt.Sprintf("%.0f", us)
}
