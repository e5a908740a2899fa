package plib

import (
	"errors"
	"fmt"

	"github.com/plibcached/plibcached/kv"
)

// RecoveryReport says what Recover found and did.
type RecoveryReport struct {
	// DeadSlots is the number of client slots whose process had died.
	DeadSlots int
	// Freed is how many of them were repaired and returned to the free pool.
	Freed int
	// Busy is how many dead slots another process took first (it repairs them), or could
	// not be repaired (the store is damaged: Check says how).
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

// reclaimDead takes slot, whose owner word w names a dead process, repairs what that
// process left (rolling back or finishing the operation it died in, releasing its locks
// and the memory it had taken), resets its scratch buffer and frees it. It reports false if
// another process took the slot first. Inside a trampoline.
func (c *Client) reclaimDead(slot kv.Slot, w uint64) bool {
	self := selfIdentity()
	owner := c.slotWord64(slot, 0)
	if !owner.CompareAndSwap(w, uint64(self.pid)<<32|slotClaimed) {
		return false
	}
	c.slotWord64(slot, 8).Store(self.start)
	err := c.recoverSlot(slot)
	c.releaseSlot(slot)
	return err == nil
}

// recoverSlot repairs slot, just claimed from a dead process, and resets its scratch
// buffer. A store too damaged to repair leaves the slot claimed by no one alive: Check
// reports the damage.
func (c *Client) recoverSlot(slot kv.Slot) error {
	info, err := c.store.RecoverSlot(slot)
	clear(c.scratch(slot))
	c.recovered.Add(1)
	if info.ChunkFreed {
		c.chunksFreed.Add(1)
	}
	switch {
	case errors.Is(err, kv.ErrBusy):
		return err // a *kv.BusyError: a live process keeps a lock the repair needs
	case err != nil:
		return fmt.Errorf("%w: recovering slot %d: %w", ErrCorrupt, slot, err)
	}
	return nil
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
	c.raise()
	defer c.exit()
	return c.store.LocksHeld()
}

// Recovered reports how many dead clients' slots this Client has repaired and taken back,
// through Recover or when it needed a slot, and how many allocated-but-unlinked chunks it
// freed for them. Repairs that waiting clients do on the spot, when they meet a dead
// client's lock, are not counted here.
func (c *Client) Recovered() (slots, chunks int64) {
	return c.recovered.Load(), c.chunksFreed.Load()
}

// SlotOwners counts the client slots held by live processes and by dead ones (which
// Recover would repair and free). It is for tools.
func (c *Client) SlotOwners() (live, dead int) {
	c.raise()
	defer c.exit()
	for slot := kv.Slot(0); slot < kv.Slot(c.seg.layout.maxSlots); slot++ {
		switch w := c.slotWord64(slot, 0).Load(); {
		case w == slotFree:
		case c.ownerAlive(slot, w):
			live++
		default:
			dead++
		}
	}
	return live, dead
}

// SlotPIDs lists the processes that hold client slots now, each once. plibd watches them
// (pidfd) so that it can call Recover as soon as one exits.
func (c *Client) SlotPIDs() []int {
	words := make([]uint64, c.seg.layout.maxSlots) // allocated outside the call
	c.ownerWords(words)
	seen := map[int]bool{}
	var pids []int
	for _, w := range words {
		if pid := int(w >> 32); uint32(w) == slotClaimed && pid != 0 && !seen[pid] {
			seen[pid] = true
			pids = append(pids, pid)
		}
	}
	return pids
}

// Repair is a repair under way in the segment: the process RepairerPid, in client slot
// RepairerSlot, is rolling back or finishing what the dead client of slot DeadSlot left,
// or (RepairerSlot == DeadSlot) taking that slot back.
type Repair struct {
	DeadSlot, RepairerSlot int
	RepairerPid            int
}

// Repairing lists the repairs under way at this instant (for plibctl and for the torture
// test, which kills repairers on purpose). It takes no lock, and allocates outside the
// call.
func (c *Client) Repairing() []Repair {
	found := make([]kv.Repair, 0, c.seg.layout.maxSlots+1)
	pids := make([]int, c.seg.layout.maxSlots+1)
	found = c.repairsInProgress(found, pids)
	out := make([]Repair, len(found))
	for i, r := range found {
		out[i] = Repair{DeadSlot: int(r.Dead), RepairerSlot: int(r.Repairer), RepairerPid: pids[i]}
	}
	return out
}

// repairsInProgress reads the repairs under way and their repairers' pids into found and
// pids (room for every slot), in one call.
func (c *Client) repairsInProgress(found []kv.Repair, pids []int) []kv.Repair {
	c.raise()
	defer c.exit()
	found = c.store.RepairsInProgress(found)
	for i, r := range found {
		pids[i] = c.slotPid(r.Repairer)
	}
	return found
}

// ownerWords copies the slot table's owner words into words (one per slot), in one call.
func (c *Client) ownerWords(words []uint64) {
	c.raise()
	defer c.exit()
	for slot := range words {
		words[slot] = c.slotWord64(kv.Slot(slot), 0).Load()
	}
}
