package workloads

// sequential is YCSB's SequentialGenerator, which walks start, start+1, …, start+interval−1 and
// wraps. YCSB shares one walk between all client threads; to keep each thread's stream
// independent of scheduling, thread t of T here walks t, t+T, t+2T, … (mod interval): together
// the threads visit the keys in YCSB's order when they run at the same pace.
type sequential struct {
	start    int64
	interval int64
	pos      int64 // next offset from start, in [0, interval)
	stride   int64 // threads, mod interval
}

// newSequential returns thread `thread` of `threads`' walk over [start, end].
func newSequential(start, end, thread, threads int64) *sequential {
	interval := end - start + 1
	return &sequential{start: start, interval: interval, pos: thread % interval, stride: threads % interval}
}

// choose implements keyChooser.
func (s *sequential) choose(_ *rng, _ int64) int64 {
	v := s.start + s.pos
	s.pos += s.stride
	if s.pos >= s.interval {
		s.pos -= s.interval
	}
	return v
}
