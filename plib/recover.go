package plib

import "github.com/plibcached/plibcached/kv"

// RecoveryReport says what Recover found and did.
type RecoveryReport struct {
	// DeadSlots is the number of client slots whose process had died.
	DeadSlots int
	// Freed is how many of them were repaired and returned to the free pool.
	Freed int
	// Busy is how many dead slots could not be freed yet because a lock they hold is
	// being repaired by another process at this moment.
	Busy int
}

// Recover finds the client slots of processes that died (crashed or were killed, pid gone
// or reused), repairs whatever operation each left half-done, releases its locks and its
// memory, resets its scratch buffers, and frees the slot. Clients call it implicitly when
// they run out of free slots or meet a dead client's lock; plibd calls it when a local
// client exits, and plibctl repair on a segment no process has open.
func (c *Client) Recover() (RecoveryReport, error) {
	if c.closed.Load() {
		return RecoveryReport{}, ErrClosed
	}
	var r RecoveryReport
	c.enter()
	defer c.exit()
	for slot := kv.Slot(0); slot < kv.Slot(c.seg.layout.maxSlots); slot++ {
		w := c.slotWord64(slot, 0).Load()
		if w == slotFree || c.ownerAlive(slot, w) {
			continue
		}
		r.DeadSlots++
		if c.reclaimDead(slot, w) {
			r.Freed++
		} else {
			r.Busy++
		}
	}
	return r, nil
}

// reclaimDead repairs and frees slot, whose owner word w names a dead process. It reports
// false if the slot cannot be freed now. Inside a trampoline.
func (c *Client) reclaimDead(slot kv.Slot, w uint64) bool {
	if c.store.LocksHeldBy(slot) != 0 {
		return false
	}
	clear(c.scratch(slot))
	return c.slotWord64(slot, 0).CompareAndSwap(w, slotFree)
}

// scratch is slot's private buffer in the segment.
func (c *Client) scratch(slot kv.Slot) []byte {
	l := c.seg.layout
	return c.seg.mem[l.scratchOff+uint64(slot)*l.scratchSize : l.scratchOff+uint64(slot+1)*l.scratchSize]
}

// LocksHeld counts the store's lock words that are held at this instant, by anyone. On a
// segment no process is using, anything but 0 is a lock a dead client left (Recover
// repairs those). It is for tools and tests.
func (c *Client) LocksHeld() int {
	c.enter()
	defer c.exit()
	return c.store.LocksHeld()
}
