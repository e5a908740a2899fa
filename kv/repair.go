package kv

import (
	"fmt"
	"sync/atomic"
	"time"
)

// Repair after a dead client. Two steps, both driven by the dead slot's journal:
//
// Lock repair (repairHolder) runs as soon as a waiter finds a lock whose holder is dead:
// one repairer, chosen by a CAS on the journal's claim word, rolls back the undo entries
// (restoring every structure the dead client held a lock on to its last commit point),
// finishes the multi-step work the journal records (a page carve or move, a hash bucket's
// migration) or undoes it (a hash table allocated but not installed), and releases every
// lock the dead client held. It acts as the dead slot: the locks keep naming it, and its
// own stores go to the dead slot's journal, so a repairer that dies too leaves a journal
// the next repairer picks up. Lock repair needs no lock the dead client did not hold,
// except the page lock, which is innermost and so can be waited for.
//
// Slot recovery (RecoverSlot) runs when the slot is taken back for reuse: it does lock
// repair if no waiter has yet, then returns the chunk the client had allocated but not
// linked, and resets the journal.

// repairHolder repairs the dead holder whose lock-word value is dead, on behalf of the
// waiter me, and reports whether it did. If another live client is already repairing it,
// it returns at once: the waiter keeps waiting, and the lock is released when that repair
// ends.
func (s *Store) repairHolder(dead, me uint32) bool {
	claim := s.m.a32(s.journal(dead) + jClaim)
	for {
		c := claim.Load()
		switch {
		case c == claimDone:
			// Repaired already; the locks that repair released may since have been taken
			// by live clients. Nothing to do.
			return false
		case c == 0 || c == me || c == dead || !s.holderAlive(c):
			// Free, ours, or left by a repairer that died (or a damaged word): take it.
			if !claim.CompareAndSwap(c, me) {
				continue
			}
			// The waiter judged the holder dead a moment ago; since then the slot may have
			// been repaired, taken back by a live process and reset (claim 0 again). Only
			// a holder still dead now, with the claim held, may be repaired.
			if s.holderAlive(dead) {
				claim.CompareAndSwap(me, c)
				return false
			}
			start := time.Now()
			s.repairClaimed(claim, dead, me)
			claim.Store(claimDone)
			s.m.a64(hRepairs).Add(1)
			s.recordMax(hRepairTimeMax, time.Since(start))
			return true
		default:
			return false // a live client is repairing it
		}
	}
}

// repairClaimed runs repairLocked(dead) holding dead's claim word as me. If the repair
// panics (damage, or the page lock held too long by a live client) the claim is given up
// before the panic goes on, so that the next waiter repairs instead: repair is idempotent.
func (s *Store) repairClaimed(claim *atomic.Uint32, dead, me uint32) {
	defer func() {
		if r := recover(); r != nil {
			claim.CompareAndSwap(me, 0)
			panic(r)
		}
	}()
	s.repairLocked(dead)
}

// repairLocked rolls back, finishes and releases what dead left, acting as dead.
func (s *Store) repairLocked(dead uint32) {
	s.rollback(dead)
	s.finishMove(dead)
	s.finishCarve(dead)
	s.migrateBucket(dead)
	s.abortGrow(dead)
	for i := range s.numLockWords() {
		if off := s.lockWord(i); heldBy(s.m.a32(off).Load(), dead) {
			s.unlock(off)
		}
	}
}

// RecoverInfo says what RecoverSlot did.
type RecoverInfo struct {
	// LocksReleased counts the locks the dead client still held.
	LocksReleased int
	// Repaired reports that the slot's locks were repaired now (rather than earlier, by a
	// client that met one of them).
	Repaired bool
	// ChunkFreed reports that a chunk the client had allocated but not linked was freed.
	ChunkFreed bool
}

// RecoverSlot repairs what the previous user of slot, a client that died, left half-done,
// and resets the slot's journal so the slot can be used again. The caller must own slot
// now, as package plib's slot table arranges, and hold no lock of the store; it may be
// called again if the caller dies during it.
func (s *Store) RecoverSlot(slot Slot) (info RecoverInfo, err error) {
	if uint64(slot) >= s.g.maxSlots {
		return RecoverInfo{}, ErrBadSlot
	}
	h := holder(slot)
	defer s.recoverOp(h, &err)
	j := s.journal(h)
	claim := s.m.a32(j + jClaim)
	var start time.Time
	for attempt := 0; ; attempt++ {
		c := claim.Load()
		if c == claimDone {
			// A waiter repaired the locks already. Claim the journal back as this slot's
			// own before taking any lock: the caller is the slot's holder now, and if it
			// dies in turn (in freeLeaked, holding a class lock) a waiter must find a
			// claim it can take (its holder dead), not one that says "repaired".
			if claim.CompareAndSwap(c, h) {
				break
			}
			continue
		}
		if c == 0 || c == h || !s.holderAlive(c) {
			if !claim.CompareAndSwap(c, h) {
				continue
			}
			info.LocksReleased = s.LocksHeldBy(slot)
			begin := time.Now()
			s.repairLocked(h)
			info.Repaired = true
			if info.LocksReleased > 0 {
				s.m.a64(hRepairs).Add(1)
				s.recordMax(hRepairTimeMax, time.Since(begin))
			}
			break
		}
		// A live waiter is repairing the locks: let it finish, but not for ever.
		if start.IsZero() {
			start = time.Now()
		} else if waited := time.Since(start); waited > s.lockTimeout {
			return info, s.busy(c, "repair claim", waited)
		}
		lockSlowYield(attempt)
	}
	if it := s.m.u64(j + jAlloc); it != 0 {
		freed, err := s.freeLeaked(h, it)
		if err != nil {
			return info, err
		}
		info.ChunkFreed = freed
	}
	clear(s.m.bytes(j+jAlloc, jEntries-jAlloc))
	claim.Store(0)
	return info, nil
}

// freeLeaked returns chunk it, recorded in h's journal as allocated and not linked, to its
// free list.
func (s *Store) freeLeaked(h uint32, it uint64) (bool, error) {
	if !s.validItemHeader(it) {
		return false, fmt.Errorf("%w: journal names chunk %d, which is no chunk", ErrCorrupt, it)
	}
	cls := s.classOf(it)
	s.lock(s.classLock(cls), h)
	freed := s.validChunk(cls, it) && s.m.u8(it+iState) == stateAlloc
	if freed {
		s.freeChunk(h, cls, it)
	}
	s.w64(h, s.journal(h)+jAlloc, 0)
	s.unlock(s.classLock(cls))
	return freed, nil
}

// validItemHeader reports whether off can be read as a chunk header of some real class.
func (s *Store) validItemHeader(off uint64) bool {
	if off < s.g.firstPage || off&7 != 0 || s.pageOf(off) >= s.g.numPages {
		return false
	}
	cls := s.m.u8(off + iClass)
	return cls >= 1 && int(cls) <= s.numClasses && s.validChunk(cls, off)
}

// recordMax raises the header word at off to d (in nanoseconds) if d is larger.
func (s *Store) recordMax(off uint64, d time.Duration) {
	w := s.m.a64(off)
	for old := w.Load(); uint64(d) > old && !w.CompareAndSwap(old, uint64(d)); old = w.Load() {
	}
}

// Repair is a repair under way: the client in slot Repairer is rolling back, finishing or
// reclaiming what the client of slot Dead left. Repairer == Dead is the slot's new owner
// taking it back (RecoverSlot).
type Repair struct {
	Dead, Repairer Slot
}

// RepairsInProgress appends to dst the repairs under way at this instant, read from the
// journals' claim words without a lock: for tools, and for tests that kill repairers.
func (s *Store) RepairsInProgress(dst []Repair) []Repair {
	for h := uint32(1); uint64(h) <= s.g.maxSlots+1; h++ {
		c := s.m.a32(s.journal(h) + jClaim).Load()
		if c != 0 && c != claimDone && uint64(c) <= s.g.maxSlots+1 {
			dst = append(dst, Repair{Dead: Slot(h - 1), Repairer: Slot(c - 1)})
		}
	}
	return dst
}
