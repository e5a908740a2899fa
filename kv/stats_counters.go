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
	numSlotStats

	slotStatsSize = 256
)

func (s *Store) count(slot Slot, stat int) {
	s.m.a64(s.g.slotStatsOff + uint64(slot)*slotStatsSize + uint64(stat)*8).Add(1)
}

func (s *Store) sumStat(stat int) uint64 {
	var n uint64
	for slot := uint64(0); slot < s.g.maxSlots; slot++ {
		n += s.m.a64(s.g.slotStatsOff + slot*slotStatsSize + uint64(stat)*8).Load()
	}
	return n
}
