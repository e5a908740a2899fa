package kv

// Every client slot (and the maintenance slot) has a journal in the region: the intent
// records and undo log that let another process repair what the slot's client left
// half-done when it died. See doc.go, "Crash safety".
//
//	0    claim       u32  0; or the holder id of the client repairing this slot; or
//	                      claimDone once the locks it held have been repaired and released
//	4    count       u32  undo entries in use
//	8    alloc       u64  a chunk the client took and has not linked yet (0 if none)
//	16   carvePage   u64  page + 1 being cut into chunks for carveClass (0 if none)
//	24   carveClass  u32
//	32   movePage    u64  page + 1 moving from class moveFrom to moveTo (0 if none)
//	40   moveFrom    u32
//	44   moveTo      u32
//	48   migrate     u64  old hash bucket + 1 being moved to the new table (0 if none)
//	56   growFirst   u64  first page + 1 of a hash table allocated but not yet installed
//	64   growCount   u64
//	128  undo entries, 16 bytes each: target offset<<2 | width kind, then the old value
const (
	jClaim      = 0
	jCount      = 4
	jAlloc      = 8
	jCarvePage  = 16
	jCarveClass = 24
	jMovePage   = 32
	jMoveFrom   = 40
	jMoveTo     = 44
	jMigrate    = 48
	jGrowFirst  = 56
	jGrowCount  = 64
	jEntries    = 128

	// journalCap bounds the undo entries of one critical section. The longest are a batch
	// of 2*chunkBatch chunks taken off a free list by a page move (3 entries each) and a
	// replacing store (about 30).
	journalCap  = 256
	journalSize = jEntries + journalCap*16

	// chunkBatch is half the chunks a page move takes off a free list between commits.
	chunkBatch = 16

	claimDone = ^uint32(0)

	kindU8  = 0
	kindU32 = 1
	kindU64 = 2
)

// journal returns the offset of the journal of the slot whose lock-word value is h.
func (s *Store) journal(h uint32) uint64 { return s.g.journalOff + uint64(h-1)*journalSize }

// logUndo records the current value of the width-byte word at off in h's journal, before
// the caller overwrites it. The entry is written before the count that makes it live, and
// the count before the caller's store: stores are not reordered (amd64 is TSO and the Go
// compiler keeps stores in program order), so a client killed at any instruction leaves a
// journal that undoes exactly the stores it made.
func (s *Store) logUndo(h uint32, off, kind, old uint64) {
	j := s.journal(h)
	n := uint64(s.m.u32(j + jCount))
	if n >= journalCap {
		// No critical section logs this many stores: the count was damaged. Rolling back
		// what the journal holds and releasing the locks (recoverOp) is all that is left.
		corrupt("journal undo count", n)
	}
	e := j + jEntries + n*16
	s.m.setU64(e, off<<2|kind)
	s.m.setU64(e+8, old)
	s.m.setU32(j+jCount, uint32(n+1))
	if s.crashHook != nil {
		s.crashHook()
	}
}

// w8, w32 (atomic: page owners and hash-table words are read without locks) and w64 are journaled stores: every store into a structure guarded by a region
// lock goes through them, so that the structure can be rolled back to its state when the
// lock was taken or at the last commit point.
func (s *Store) w8(h uint32, off uint64, v uint8) {
	s.logUndo(h, off, kindU8, uint64(s.m.u8(off)))
	s.m.setU8(off, v)
}

func (s *Store) w32(h uint32, off uint64, v uint32) {
	s.logUndo(h, off, kindU32, uint64(s.m.u32(off)))
	s.m.store32(off, v)
}

func (s *Store) w64(h uint32, off uint64, v uint64) {
	s.logUndo(h, off, kindU64, s.m.u64(off))
	s.m.setU64(off, v)
}

// w64known is w64 for a word whose current value the caller knows from the structure's
// invariants (a list neighbour's link to the item being unlinked): it records old without
// loading the word, so a store to a line not in the cache does not stall on the load.
// Should the region have been damaged so that the word did not hold old, undoing writes
// old there: a link to a chunk the caller validated, no worse than the damage.
func (s *Store) w64known(h uint32, off, old, v uint64) {
	s.logUndo(h, off, kindU64, old)
	s.m.setU64(off, v)
}

// w64a is w64 for a word that is also read without its lock (statistics, the migration
// cursor): the store is a release store (release_tso.go).
func (s *Store) w64a(h uint32, off uint64, v uint64) {
	s.logUndo(h, off, kindU64, s.m.u64(off))
	s.m.store64(off, v)
}

// addLocked adds delta to a counter only holders of its lock change (a class's counts),
// read atomically by Stats.
func (s *Store) addLocked(h uint32, off uint64, delta uint64) {
	s.w64a(h, off, s.m.a64(off).Load()+delta)
}

// commit forgets h's undo entries: what they guard is consistent again. Releasing any lock
// commits, and long sections commit between batches.
func (s *Store) commit(h uint32) {
	if s.crashHook != nil {
		s.crashHook()
	}
	s.m.setU32(s.journal(h)+jCount, 0)
}

// rollback undoes h's live undo entries, newest first, and commits. Undoing is idempotent
// (restoring old values can be repeated), so a repairer that dies halfway leaves a journal
// the next one can roll back again.
func (s *Store) rollback(h uint32) {
	j := s.journal(h)
	n := uint64(s.m.u32(j + jCount))
	if n > journalCap {
		n = journalCap // a damaged count: undo what the journal can hold
	}
	for i := n; i > 0; i-- {
		e := j + jEntries + (i-1)*16
		w, old := s.m.u64(e), s.m.u64(e+8)
		off, kind := w>>2, w&3
		if off < hCAS || off+8 > s.g.regionSize {
			continue // not a word any lock guards: a damaged entry
		}
		switch kind {
		case kindU8:
			s.m.setU8(off, uint8(old))
		case kindU32:
			s.m.a32(off).Store(uint32(old))
		case kindU64:
			s.m.a64(off).Store(old)
		}
	}
	s.commit(h)
}
