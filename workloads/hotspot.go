package workloads

// hotspot is YCSB's HotspotIntegerGenerator: a fraction hotOpnFraction of draws fall uniformly
// in the hot set, the first hotsetFraction of [lower, upper]; the rest fall uniformly in the cold
// remainder. It holds no mutable state.
type hotspot struct {
	lower          int64
	hotInterval    int64
	coldInterval   int64
	hotOpnFraction float64
}

// newHotspot returns the generator for [lower, upper]; both fractions lie in [0, 1]
// (NewCoreWorkload checks them; YCSB silently resets bad ones to 0).
func newHotspot(lower, upper int64, hotsetFraction, hotOpnFraction float64) hotspot {
	interval := upper - lower + 1
	hot := int64(float64(interval) * hotsetFraction)
	return hotspot{lower: lower, hotInterval: hot, coldInterval: interval - hot, hotOpnFraction: hotOpnFraction}
}

// choose implements keyChooser. Where YCSB would divide by an empty set (a hot or cold set of
// size 0), the other set is used.
func (h *hotspot) choose(r *rng, _ int64) int64 {
	hot := r.float64() < h.hotOpnFraction
	if (hot && h.hotInterval > 0) || h.coldInterval == 0 {
		return h.lower + r.int63n(h.hotInterval)
	}
	return h.lower + h.hotInterval + r.int63n(h.coldInterval)
}
