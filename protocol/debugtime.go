package protocol

import (
	"sync"
)

// DebugClock is a store clock that memcached-debug's "debugtime" command can move: it
// reads Base plus an offset that every "debugtime N" adds N seconds to, and "debugtime p"
// freezes it until "debugtime r" (memcached's clock_handler under MEMCACHED_DEBUG). plibd
// uses it only with -debugtime, for memcached's test suite, which ages items this way.
type DebugClock struct {
	// Base is the real clock (kv.CoarseClock in plibd).
	Base interface{ Now() int64 }

	mu     sync.Mutex
	offset int64
	paused bool
	frozen int64
}

// Now is Base's time plus the accumulated offset, or the time at which it was paused.
func (d *DebugClock) Now() int64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.paused {
		return d.frozen
	}
	return d.Base.Now() + d.offset
}

// Shift adds delta seconds to the clock.
func (d *DebugClock) Shift(delta int64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.offset += delta
	if d.paused {
		d.frozen += delta
	}
}

// Pause freezes the clock; Resume lets it run again from Base's time plus the offset.
func (d *DebugClock) Pause() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.paused {
		d.frozen = d.Base.Now() + d.offset
		d.paused = true
	}
}

// Resume undoes Pause.
func (d *DebugClock) Resume() {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.paused = false
}

// processDebugtime runs "debugtime N|p|r" (memcached's process_debugtime_command), or
// answers ERROR when the server has no DebugClock, like a release build of memcached.
func (c *conn) processDebugtime() {
	d := c.srv.cfg.DebugClock
	if d == nil {
		c.outString(rError)
		return
	}
	switch arg := c.tk.t[1]; string(arg) {
	case "p":
		d.Pause()
	case "r":
		d.Resume()
	default:
		delta, ok := safeStrtoll(arg)
		if !ok {
			c.outString(rError)
			return
		}
		d.Shift(delta)
	}
	c.outString("OK")
}
