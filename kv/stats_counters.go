package kv

// Per-client-slot statistics counters. Each slot's counters share its own 256 bytes, so
// that clients in different slots never write the same cache line; Stats sums them.
const (
	stCmdGet = iota
	stGetHits
	stGetMisses
	stGetExpired
	stGetFlushed
	stCmdSet
	stTotalItems
	stCmdTouch
	stTouchHits
	stTouchMisses
	stDeleteHits
	stDeleteMisses
	stIncrHits
	stIncrMisses
	stDecrHits
	stDecrMisses
	stCasHits
	stCasMisses
	stCasBadval
	stCmdFlush
	stExpiredUnlinked
	// stLockWaits starts numLockKinds groups of numWaitStats counters: the slow path of
	// each kind of lock (lockKindIndex), counted by the waiting slot.
	stLockWaits
	numSlotStats = stLockWaits + numLockKinds*numWaitStats

	slotStatsSize = 512
)

// The counters of a lock kind's slow path, in its group.
const (
	waitContended = iota // acquisitions that found the lock taken
	waitSpins            // rounds spent looking at the word
	waitYields           // times the thread was yielded
	waitSleeps           // futex sleeps on the word
	numWaitStats
)

// addWait adds n to counter which of lock kind kind for the waiting holder h. Only client
// slots have counters; the maintenance slot's waits are not counted.
func (s *Store) addWait(h uint32, kind, which int, n uint64) {
	if slot := uint64(h&holderMask) - 1; n != 0 && slot < s.g.maxSlots {
		s.addOwn(s.g.slotStatsOff+slot*slotStatsSize+uint64(stLockWaits+kind*numWaitStats+which)*8, n)
	}
}

func (s *Store) count(slot Slot, stat int) {
	s.addOwn(s.g.slotStatsOff+uint64(slot)*slotStatsSize+uint64(stat)*8, 1)
}

// addOwn adds n to a counter of the calling slot's own: no other client writes it, so a
// load and a release store do (no locked add, which would wait for earlier stores).
func (s *Store) addOwn(off, n uint64) {
	s.m.store64(off, s.m.u64(off)+n)
}

func (s *Store) sumStat(stat int) uint64 {
	var n uint64
	for slot := uint64(0); slot < s.g.maxSlots; slot++ {
		n += s.m.a64(s.g.slotStatsOff + slot*slotStatsSize + uint64(stat)*8).Load()
	}
	return n
}
