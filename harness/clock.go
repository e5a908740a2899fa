package harness

import (
	"runtime"
	"slices"
	"time"
)

// ClockCost is the measured cost of reading the clock the way the harness times operations
// (time.Now, then time.Since: the monotonic clock through the vDSO on Linux).
type ClockCost struct {
	Pairs    int     `json:"pairs"`     // back-to-back reads measured
	MinNs    float64 `json:"min_ns"`    // the cheapest pair
	MedianNs float64 `json:"median_ns"` // the typical pair: what one timed interval carries in excess
}

// CalibrateClock times pairs back-to-back clock reads on a goroutine locked to its thread. The
// interval between two adjacent reads is the overhead any timed interval carries: the tail of
// the first read plus the head of the second.
func CalibrateClock(pairs int) ClockCost {
	pairs = max(pairs, 1)
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	gaps := make([]float64, pairs)
	for i := range gaps {
		start := time.Now()
		gaps[i] = float64(time.Since(start))
	}
	slices.Sort(gaps)
	return ClockCost{Pairs: pairs, MinNs: gaps[0], MedianNs: gaps[len(gaps)/2]}
}
