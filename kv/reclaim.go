package kv

// reclaimTail frees the first expired or flushed item among the last lruSearchDepth of
// cls's LRU whose stripe can be had, evicting nothing live: memcached's lru_pull_tail
// before every allocation (and its LRU maintainer's reclaiming, which kv has no thread
// for), so the memory of dead items is used again before a free chunk or a new page is.
// Holds the class lock and the stripe mine; unlinks an item only under its stripe's lock
// (one it cannot have at once is passed over).
//
// A store that never saw an expiration time in this class and was never flushed has no
// dead item to find, so the search is skipped: it would cost every allocation a few cache
// misses at the LRU's cold tail. Otherwise an item is judged dead without its lock first
// (its expiration, time and CAS id are single words), and locked only then, to be judged
// again and unlinked.
func (s *Store) reclaimTail(cls uint8, mine uint64, hold uint32) (ok, touchedMine bool) {
	ce := s.classEntry(cls)
	if s.m.a32(ce+cMayExpire).Load() == 0 && s.m.a64(hFlushCAS).Load() == 0 && s.m.a64(hFlushDeadline).Load() == 0 &&
		s.m.a64(hFlushPassed).Load() == 0 {
		return false, false
	}
	now := s.now()
	it := s.m.u64(ce + cLRUTail)
	for i := 0; i < lruSearchDepth && it != 0; i++ {
		if !s.validChunk(cls, it) || s.m.u8(it+iState) != stateLinked {
			return false, false // a damaged list: leave it for Check
		}
		prev := s.m.u64(it + iPrev)
		if s.dead(it, now) == lookupHit {
			it = prev
			continue
		}
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

// markMayExpire records that class cls holds (or held) an item with an expiration time, so
// that allocations in it look for dead items at its LRU's tail. It is never cleared: a
// stale 1 costs only the search. Holds the class lock; not journaled (a lost 1 is set
// again by the next such item, and until then expired items are still found on lookup
// and by eviction).
func (s *Store) markMayExpire(cls uint8) {
	if w := s.m.a32(s.classEntry(cls) + cMayExpire); w.Load() == 0 {
		w.Store(1)
	}
}
