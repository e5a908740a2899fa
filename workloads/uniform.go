package workloads

// uniform is YCSB's UniformLongGenerator: every number in [lower, lower+interval) equally
// likely. (YCSB takes |nextLong()| mod interval, which is biased by up to interval/2^63;
// Lemire's multiply-shift here is biased by at most interval/2^64 and needs no division.)
type uniform struct {
	lower    int64
	interval int64
}

// newUniform returns the generator for [lower, upper] (inclusive, as in YCSB).
func newUniform(lower, upper int64) uniform {
	return uniform{lower: lower, interval: upper - lower + 1}
}

// choose implements keyChooser.
func (u *uniform) choose(r *rng, _ int64) int64 {
	return u.lower + r.int63n(u.interval)
}
