package kv

// reclaimTail frees the first expired or flushed item among the last lruSearchDepth of
// cls's LRU whose stripe can be had, evicting nothing live: memcached's lru_pull_tail
// before every allocation (and its LRU maintainer's reclaiming, which kv has no thread
// for), so the memory of dead items is used again before a free chunk or a new page is.
// Holds the class lock and the stripe mine; looks at an item only under its stripe's lock
// (one it cannot have at once is passed over).
func (s *Store) reclaimTail(cls uint8, mine uint64, hold uint32) (ok, touchedMine bool) {
	ce := s.classEntry(cls)
	now := s.now()
	it := s.m.u64(ce + cLRUTail)
	for i := 0; i < lruSearchDepth && it != 0; i++ {
		if !s.validChunk(cls, it) || s.m.u8(it+iState) != stateLinked {
			return false, false // a damaged list: leave it for Check
		}
		prev := s.m.u64(it + iPrev)
		stripe := s.stripeOf(s.m.u32(it + iHash))
		if stripe != mine && !s.tryLock(stripe, hold) {
			it = prev
			continue
		}
		if s.dead(it, now) != lookupHit {
			s.unlinkLocked(hold, cls, it, s.findLink(it))
			s.m.a64(ce + cReclaimed).Add(1)
			s.releaseStripe(stripe, mine, 0)
			return true, stripe == mine
		}
		s.releaseStripe(stripe, mine, 0)
		it = prev
	}
	return false, false
}
