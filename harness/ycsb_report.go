package harness

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
)

// WriteYCSBReport prints r in YCSB's own report format, so that YCSB users and their scripts can
// read it:
//
//	[OVERALL], RunTime(ms), 10110
//	[OVERALL], Throughput(ops/sec), 98911.96
//	[READ], Operations, 496
//	[READ], AverageLatency(us), 12.345
//	[READ], MinLatency(us), 8.1
//	[READ], MaxLatency(us), 1203.2
//	[READ], 50thPercentileLatency(us), 11.9
//	[READ], 95thPercentileLatency(us), 15.3
//	[READ], 99thPercentileLatency(us), 20.1
//	[READ], Return=OK, 496
//
// Latencies are microseconds with up to three decimals (YCSB prints whole microseconds, too coarse
// for in-process operations). A Return=NOT_FOUND line follows when there were misses. As in YCSB,
// a READ-MODIFY-WRITE also counts its read under READ and its write under UPDATE.
func WriteYCSBReport(w io.Writer, r *Result) error {
	var err error
	line := func(section, metric string, value string) {
		if err == nil {
			_, err = fmt.Fprintf(w, "[%s], %s, %s\n", section, metric, value)
		}
	}
	line("OVERALL", "RunTime(ms)", strconv.FormatInt(int64(math.Round(r.RuntimeMs)), 10))
	line("OVERALL", "Throughput(ops/sec)", formatReportFloat(r.Throughput))
	for _, op := range r.Ops {
		line(op.Name, "Operations", strconv.FormatInt(op.Count, 10))
		line(op.Name, "AverageLatency(us)", formatReportFloat(op.MeanUs))
		line(op.Name, "MinLatency(us)", formatReportFloat(op.MinUs))
		line(op.Name, "MaxLatency(us)", formatReportFloat(op.MaxUs))
		line(op.Name, "50thPercentileLatency(us)", formatReportFloat(op.P50Us))
		line(op.Name, "95thPercentileLatency(us)", formatReportFloat(op.P95Us))
		line(op.Name, "99thPercentileLatency(us)", formatReportFloat(op.P99Us))
		line(op.Name, "Return=OK", strconv.FormatInt(op.OK, 10))
		if op.NotFound > 0 {
			line(op.Name, "Return=NOT_FOUND", strconv.FormatInt(op.NotFound, 10))
		}
	}
	return err
}

// formatReportFloat prints v rounded to three decimals, without trailing zeros.
func formatReportFloat(v float64) string { return strconv.FormatFloat(round3(v), 'f', -1, 64) }

// round3 rounds to three decimals.
func round3(v float64) float64 { return math.Round(v*1e3) / 1e3 }

// sortedKeys returns m's keys in order.
func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
