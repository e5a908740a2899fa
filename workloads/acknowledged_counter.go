package workloads

import (
	"fmt"
	"sync"
	"sync/atomic"
)

// acknowledgedCounter is YCSB's AcknowledgedCounterGenerator: a counter whose lastValue is the
// highest number n such that every number up to n has been acknowledged, so readers never
// choose a key whose insert may not have finished. Acknowledgements may come in any order and
// from any goroutine; an acknowledgement beyond the window of pending ones is refused.
//
// As in YCSB, whoever acknowledges tries the lock and, holding it, slides the limit over the
// contiguous acknowledged slots. YCSB gives up when the lock is busy, so an acknowledgement
// landing just behind the sliding holder stays unseen until the next one; here the holder looks
// again after unlocking.
type acknowledgedCounter struct {
	counter
	limit  atomic.Int64 // highest n with every number ≤ n acknowledged
	mu     sync.Mutex   // held by the goroutine sliding limit forward
	window []atomic.Bool
	mask   int64
}

// Window sizes: YCSB's 2^20 for the counter threads share, a smaller one for a thread's own.
const (
	sharedAckWindow = 1 << 20
	threadAckWindow = 1 << 12
)

// newAcknowledgedCounter returns a counter starting at start with room for window
// (a power of two) unacknowledged values.
func newAcknowledgedCounter(start int64, window int) *acknowledgedCounter {
	c := &acknowledgedCounter{window: make([]atomic.Bool, window), mask: int64(window - 1)}
	c.next.Store(start)
	c.limit.Store(start - 1)
	return c
}

// lastValue returns the acknowledged limit (not the last number handed out).
func (c *acknowledgedCounter) lastValue() int64 { return c.limit.Load() }

// acknowledge marks v as done and moves the limit over any contiguous run it completes.
func (c *acknowledgedCounter) acknowledge(v int64) error {
	limit := c.limit.Load()
	switch {
	case v <= limit:
		return fmt.Errorf("%w: %d is at or below the acknowledged limit %d (acknowledged twice?)", ErrBadAcknowledge, v, limit)
	case v >= c.counter.next.Load():
		return fmt.Errorf("%w: %d was never handed out", ErrBadAcknowledge, v)
	case v-limit > int64(len(c.window)):
		return fmt.Errorf("%w: %d is more than %d past the acknowledged limit %d", ErrBadAcknowledge, v, len(c.window), limit)
	}
	if !c.window[v&c.mask].CompareAndSwap(false, true) {
		return fmt.Errorf("%w: %d acknowledged twice", ErrBadAcknowledge, v)
	}
	for c.mu.TryLock() {
		limit := c.limit.Load()
		next := limit + 1
		for end := limit + 1 + int64(len(c.window)); next != end; next++ {
			slot := &c.window[next&c.mask]
			if !slot.Load() {
				break
			}
			slot.Store(false)
		}
		c.limit.Store(next - 1)
		c.mu.Unlock()
		// An acknowledgement of `next` may have landed after the slide looked at it and before
		// the unlock; its owner's TryLock failed, so look again.
		if !c.window[next&c.mask].Load() {
			break
		}
	}
	return nil
}
