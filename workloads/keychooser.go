package workloads

// keyChooser is YCSB's CoreWorkload.keychooser: it proposes the record for the next read,
// update or read-modify-write. limit is the highest record number readers may see (the
// acknowledged insert limit); a proposal outside [0, limit] is drawn again, as in YCSB's
// nextKeynum. Implementations hold at most per-thread state.
type keyChooser interface {
	choose(r *rng, limit int64) int64
}

// newKeyChooser returns thread `thread` of `threads`' chooser for the request distribution
// (CoreWorkload.init). Stateless choosers are copies of one shared template; the sequential
// walk and the latest Zipfian, which change as they draw, are the thread's own.
func (w *CoreWorkload) newKeyChooser(thread, threads int64) keyChooser {
	first, last := w.InsertStart, w.InsertStart+w.InsertCount-1
	switch w.RequestDistribution {
	case "zipfian":
		s := w.scrambled
		return &s
	case "latest":
		return newSkewedLatest(w.RecordCount - 1)
	case "hotspot":
		h := newHotspot(first, last, w.HotspotDataFraction, w.HotspotOpnFraction)
		return &h
	case "sequential":
		return newSequential(first, last, thread, threads)
	case "exponential":
		e := newExponential(w.ExponentialPercentile, float64(w.RecordCount)*w.ExponentialFrac)
		return &e
	}
	u := newUniform(first, last)
	return &u
}
