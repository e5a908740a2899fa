package torture

import (
	"math/bits"
	"time"
)

// latHist is a log-linear latency histogram: exact below 16 ns, then 8 buckets per power
// of two (12.5% resolution).
type latHist []uint64

const histBuckets = 16 + 59*8

func bucketOf(ns int64) int {
	if ns < 16 {
		return int(max(ns, 0))
	}
	e := bits.Len64(uint64(ns)) - 1
	m := int(ns>>(e-3)) & 7
	return min(16+(e-4)*8+m, histBuckets-1)
}

// bucketTop is the largest latency bucket b holds.
func bucketTop(b int) int64 {
	if b < 16 {
		return int64(b)
	}
	e, m := (b-16)/8+4, int64((b-16)%8)
	return (8+m+1)<<(e-3) - 1
}

func (h *latHist) merge(o []uint64) {
	if len(*h) == 0 {
		*h = make(latHist, histBuckets)
	}
	for i, n := range o {
		(*h)[i] += n
	}
}

// quantile returns the latency at or below which fraction q of the samples lie (the top of
// its bucket).
func (h latHist) quantile(q float64) time.Duration {
	var total uint64
	for _, n := range h {
		total += n
	}
	if total == 0 {
		return 0
	}
	rank := uint64(q*float64(total) + 0.5)
	var seen uint64
	for b, n := range h {
		seen += n
		if seen >= max(rank, 1) {
			return time.Duration(bucketTop(b))
		}
	}
	return time.Duration(bucketTop(len(h) - 1))
}
