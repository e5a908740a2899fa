package harness

import "context"

// Load inserts this process's share of the workload's records (LoadRange of each of its
// workers) and returns the INSERT latencies and the load throughput. It stops at the first error,
// or when ctx is cancelled.
func (b *Benchmark) Load(ctx context.Context) (*Result, error) {
	p, err := b.newPhase("load")
	if err != nil {
		return nil, err
	}
	defer p.close()
	var total int64
	for _, s := range p.slots {
		start, end := b.workload.LoadRange(s.index, b.opts.totalThreads)
		total += end - start
	}
	prog := b.newProgress("load", "records", total, 0, p.completed)
	timing, err := p.execute(ctx, 0, 0, prog, b.loadWorker(p))
	if err != nil {
		return nil, err
	}
	var inserted int64
	for _, s := range p.slots {
		inserted += s.measured
	}
	return p.result(b.newResult("load"), timing, inserted)
}

// loadWorker returns the body of one load worker: insert every record of its range, version 0.
func (b *Benchmark) loadWorker(p *phaseRun) func(*workerSlot) error {
	w := b.workload
	return func(s *workerSlot) error {
		start, end := w.LoadRange(s.index, b.opts.totalThreads)
		rec := s.recorder(kindInsert)
		for keynum := start; keynum < end; keynum++ {
			if p.stop.Load() {
				return nil
			}
			s.key = w.KeyName(s.key[:0], keynum)
			s.value = w.LoadValue(s.value[:0], s.key, 0)
			d, err := s.timedSet()
			if err != nil {
				return err
			}
			rec.record(d, false)
			s.measured++
			s.done.Store(s.measured)
		}
		return nil
	}
}
