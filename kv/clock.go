package kv

import (
	"sync"
	"sync/atomic"
	"time"
)

// Clock tells the store the time in unix seconds. memcached keeps a coarse clock that a
// timer updates; reading the system clock on every operation would cost more than a lookup.
type Clock interface {
	Now() int64
}

// CoarseClock is a process-wide clock, updated ten times a second by a goroutine started on
// first use. It is the default Clock.
type CoarseClock struct{}

var (
	coarseOnce sync.Once
	coarseNow  atomic.Int64
)

// Now returns the unix time, at most 100 ms stale.
func (CoarseClock) Now() int64 {
	coarseOnce.Do(func() {
		coarseNow.Store(time.Now().Unix())
		go func() {
			for t := range time.Tick(100 * time.Millisecond) {
				coarseNow.Store(t.Unix())
			}
		}()
	})
	return coarseNow.Load()
}

// ManualClock is a Clock that moves only when told to; tests use it to expire items.
// It is safe for concurrent use.
type ManualClock struct{ t atomic.Int64 }

// NewManualClock returns a ManualClock reading t.
func NewManualClock(t int64) *ManualClock {
	c := &ManualClock{}
	c.t.Store(t)
	return c
}

// Now returns the clock's time.
func (c *ManualClock) Now() int64 { return c.t.Load() }

// Set sets the clock to t.
func (c *ManualClock) Set(t int64) { c.t.Store(t) }

// Advance moves the clock by d seconds.
func (c *ManualClock) Advance(d int64) { c.t.Add(d) }

// maxRelativeExptime is memcached's REALTIME_MAXDELTA: exptimes up to 30 days are relative.
const maxRelativeExptime = 60 * 60 * 24 * 30

// realtime converts a memcached exptime to an absolute unix time in an item's 32-bit field:
// 0 never expires; a negative exptime is already expired (1, a time long past); up to 30
// days is relative to now; anything larger is an absolute unix time.
func realtime(exptime, now int64) uint32 {
	switch {
	case exptime == 0:
		return 0
	case exptime < 0:
		return 1
	case exptime <= maxRelativeExptime:
		exptime += now
	}
	if exptime > 1<<32-1 {
		return 1<<32 - 1
	}
	return uint32(exptime)
}
