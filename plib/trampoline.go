package plib

import (
	"runtime"
	"unsafe"

	"github.com/plibcached/plibcached/plib/internal/pkey"
)

// enter raises this thread's rights on the segment for one call; exit drops them. Between
// the two the goroutine is locked to its OS thread, so the raised PKRU cannot follow it to
// another thread or be seen by another goroutine, and any thread the runtime creates
// meanwhile is cloned from its template thread, whose rights are denied (see doc.go).
//
// Every call is shaped
//
//	c.enter()
//	defer c.exit()
//	copy inputs into the slot's scratch; validate the copies; run the store;
//	copy outputs out of scratch (every store lock is released by now)
//
// and in between nothing allocates on the Go heap, blocks, or makes a system call, except
// on slow paths that wait for a lock whose holder may be dead (they read /proc).
func (c *Client) enter() {
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

// overlaps reports whether b shares any byte with the segment's mapping.
func (c *Client) overlaps(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	start := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	end := start + uintptr(len(b))
	return start < c.segEnd && end > c.segStart
}
