package workloads

import "math"

// exponential is YCSB's ExponentialGenerator used as a key chooser: the distance back from the
// newest record is exponentially distributed, so that `percentile` percent of draws fall in the
// newest `frac` of the records.
type exponential struct {
	gamma float64 // rate: −ln(1 − percentile/100) / range
}

// newExponential returns YCSB's ExponentialGenerator(percentile, range).
func newExponential(percentile, rangeLen float64) exponential {
	return exponential{gamma: -math.Log(1-percentile/100) / rangeLen}
}

// choose implements keyChooser: limit − ⌊−ln(U)/γ⌋, or −1 (rejected by the caller, who draws
// again, as YCSB's nextKeynum does) when that falls below 0. 1−U is used for U so the
// logarithm never sees 0.
func (e *exponential) choose(r *rng, limit int64) int64 {
	x := -math.Log(1-r.float64()) / e.gamma
	if x >= float64(limit)+1 {
		return -1
	}
	return limit - int64(x)
}
