package workloads

import "sync/atomic"

// counter is YCSB's CounterGenerator: start, start+1, start+2, … handed out atomically, so any
// number of goroutines may share one.
type counter struct {
	next atomic.Int64
}

// newCounter returns a counter whose first value is start.
func newCounter(start int64) *counter {
	c := &counter{}
	c.next.Store(start)
	return c
}

// nextValue returns the next number of the sequence.
func (c *counter) nextValue() int64 { return c.next.Add(1) - 1 }

// lastValue returns the number most recently handed out (start−1 before the first).
func (c *counter) lastValue() int64 { return c.next.Load() - 1 }
