package plib

import (
	"runtime"
	"sync/atomic"
	"unsafe"

	"github.com/plibcached/plibcached/kv"
	"github.com/plibcached/plibcached/plib/internal/pkey"
)

// enter raises this thread's rights on the segment for one call; exit drops them. Between
// the two the goroutine is locked to its OS thread, so the raised PKRU cannot follow it to
// another thread or be seen by another goroutine, and any thread the runtime creates
// meanwhile is cloned from its template thread, whose rights are denied (see doc.go).
//
// Every call is shaped
//
//	c.enter()      // or c.raise() where no store operation runs (see below)
//	defer c.exit()
//	copy inputs into the slot's scratch; validate the copies; run the store;
//	copy outputs out of scratch (every store lock is released by now)
//
// with the deferred exit as the next statement after enter, so that rights are dropped on
// every way out of the call, a panic included. Between the two nothing allocates on the Go
// heap, blocks, makes a system call or runs any code of the caller's: not a callback, not
// a method of a caller's value; except on slow paths that wait for a lock whose holder may
// be dead (they read /proc).
//
// The one caller-supplied value the store needs is Options.Clock. enter reads it first,
// before raising anything, and stores the reading in c.now, which the store reads through
// sampledClock; so a Clock that panics or blocks does so with rights denied and no lock
// held. A Client without a caller's clock gives the store kv.CoarseClock, which is the
// store's own code, and enter skips the reading.
func (c *Client) enter() {
	if c.userClock != nil {
		c.now.Store(c.userClock.Now())
	}
	c.raise()
}

// raise is enter without reading the caller's clock, for calls that run no store
// operation (they touch the slot table, the scratch or the lock words only): closing,
// copying a value out, counting locks. A clock that panics cannot then stop a Close.
func (c *Client) raise() {
	runtime.LockOSThread()
	if c.pku {
		pkey.Enter(c.key)
	}
}

func (c *Client) exit() {
	if c.pku {
		pkey.Exit(c.key)
	}
	runtime.UnlockOSThread()
}

// sampledClock is the kv.Clock a Client gives the store when the caller supplied a Clock
// of its own: it returns the caller's clock as enter last read it, so the store never
// calls the caller's code. Concurrent calls share the reading: a call may see the time
// another call's enter read a moment later (or earlier), as with kv.CoarseClock.
type sampledClock struct{ now *atomic.Int64 }

// Now returns the last reading of the caller's clock.
func (s sampledClock) Now() int64 { return s.now.Load() }

// storeClock returns the clock the store is opened with for a caller's clock (nil for
// none): kv.CoarseClock when there is none or it is kv.CoarseClock, else a sampledClock
// over c.now, which it first fills with one reading, taken outside any call.
func (c *Client) storeClock(user kv.Clock) kv.Clock {
	switch user.(type) {
	case nil:
		return kv.CoarseClock{}
	case kv.CoarseClock:
		return user
	}
	c.userClock = user
	c.now.Store(user.Now())
	return sampledClock{&c.now}
}

// overlaps reports whether b shares any byte with the segment's mapping.
func (c *Client) overlaps(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	start := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	end := start + uintptr(len(b))
	return start < c.segEnd && end > c.segStart
}
