package workloads

// skewedLatest is YCSB's SkewedLatestGenerator: a Zipfian over the records inserted so far,
// counted back from the newest, so the latest inserts are the most popular. Its Zipfian grows
// with every insert (ζ incrementally), so each Thread owns one.
type skewedLatest struct {
	zipf zipfian
}

// newSkewedLatest returns the generator for a basis whose last value is `last`
// (YCSB: `new ZipfianGenerator(basis.lastValue())`, a Zipfian over [0, last)).
func newSkewedLatest(last int64) *skewedLatest {
	return &skewedLatest{zipf: newZipfian(0, last-1, ZipfianConstant)}
}

// choose implements keyChooser: limit − zipfian(limit), so keys near limit (the newest
// acknowledged insert) are hottest. As in YCSB, it never returns keynum 0 once limit > 0.
func (s *skewedLatest) choose(r *rng, limit int64) int64 {
	return limit - s.zipf.nextN(r, limit)
}
