package kv

// Memory management after memcached's slabs.c: the page area is handed out one page at a
// time (a bump index, then a stack of returned pages); each page belongs to one slab class
// and is cut into equal chunks. A class that needs a chunk takes one from its free list,
// else a new page, else evicts from its LRU tail (reclaiming an expired item first if one
// is there), else takes a page from the class holding the most pages (memcached's slab
// rebalancer, done inline), so that a set fails only when everything is locked at once.

// lruSearchDepth is how far from the LRU tail eviction looks (memcached's search of 5).
const lruSearchDepth = 5

// allocRetries bounds the attempts to find memory while other clients hold what could be
// evicted; after that the store reports ErrOutOfMemory.
const allocRetries = 1000

func (s *Store) pageClass(page uint64) uint32 { return s.m.a32(s.g.pageTableOff + page*4).Load() }

func (s *Store) setPageClass(page uint64, cls uint32) {
	s.m.a32(s.g.pageTableOff + page*4).Store(cls)
}

// classFor returns the smallest class whose chunks hold size bytes. size <= maxItem.
func (s *Store) classFor(size uint64) uint8 {
	lo, hi := 1, s.numClasses
	for lo < hi {
		mid := (lo + hi) / 2
		if s.g.classSizes[mid] >= size {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return uint8(lo)
}

// alloc returns a chunk of class cls in state stateAlloc. mine is the stripe the caller
// holds; evicting may remove items of that stripe, which the caller learns from touchedMine
// (its earlier lookups may then be stale).
func (s *Store) alloc(cls uint8, mine uint64, hold uint32) (it uint64, touchedMine bool, err error) {
	ce := s.classEntry(cls)
	for attempt := 0; attempt < allocRetries; attempt++ {
		s.lock(ce+cLock, hold)
		for {
			if it = s.popFree(cls); it != 0 {
				s.unlock(ce + cLock)
				return it, touchedMine, nil
			}
			if s.growClass(cls, hold) {
				continue
			}
			if ok, t := s.evictTail(cls, mine, hold); ok {
				touchedMine = touchedMine || t
				continue
			}
			if ok, t := s.stealPage(cls, mine, hold); ok {
				touchedMine = touchedMine || t
				continue
			}
			break
		}
		s.unlock(ce + cLock)
		lockSlowYield(attempt)
	}
	s.m.a64(ce + cOutOfMemory).Add(1)
	return 0, touchedMine, ErrOutOfMemory
}

// growClass gives class cls a new page. Holds the class lock.
func (s *Store) growClass(cls uint8, hold uint32) bool {
	page, ok := s.allocPageRun(1, hold)
	if !ok {
		return false
	}
	s.carve(cls, page)
	return true
}

// carve assigns page to class cls and puts all its chunks on the free list. Holds the class lock.
func (s *Store) carve(cls uint8, page uint64) {
	ce := s.classEntry(cls)
	size, per := s.g.classSizes[cls], s.g.pageSize/s.g.classSizes[cls]
	s.setPageClass(page, uint32(cls))
	start := s.pageStart(page)
	for i := per; i > 0; i-- {
		it := start + (i-1)*size
		s.m.setU8(it+iClass, cls)
		s.m.setU8(it+iNKey, 0)
		s.m.setU32(it+iNBytes, 0)
		s.freeChunk(cls, it)
	}
	s.m.a64(ce + cTotalChunks).Add(per)
	s.m.a64(ce + cPages).Add(1)
}

// allocPageRun takes n contiguous unused pages: from the returned-page stack when n is 1,
// else from the never-used pages. It returns the first page's index.
func (s *Store) allocPageRun(n uint64, hold uint32) (uint64, bool) {
	m := s.m
	s.lock(hPagesLock, hold)
	defer s.unlock(hPagesLock)
	if top := m.u64(hFreePages); n == 1 && top != 0 && top <= s.g.numPages {
		page := top - 1
		m.setU64(hFreePages, m.u64(s.pageStart(page)))
		m.setU64(hFreePageCount, m.u64(hFreePageCount)-1)
		return page, true
	}
	next := m.u64(hBumpNext)
	if next+n > s.g.numPages {
		return 0, false
	}
	m.setU64(hBumpNext, next+n)
	for p := next; p < next+n; p++ {
		s.setPageClass(p, pageHashTable)
	}
	return next, true
}

// freePageRun returns n pages starting at first to the returned-page stack.
func (s *Store) freePageRun(first, n uint64, hold uint32) {
	m := s.m
	s.lock(hPagesLock, hold)
	for p := first; p < first+n; p++ {
		s.setPageClass(p, pageUnassigned)
		m.setU64(s.pageStart(p), m.u64(hFreePages))
		m.setU64(hFreePages, p+1)
		m.setU64(hFreePageCount, m.u64(hFreePageCount)+1)
	}
	s.unlock(hPagesLock)
}

// evictTail frees one item near the tail of cls's LRU: the first expired or flushed one
// among the last lruSearchDepth whose stripe can be had, else the least recently used of
// those. Holds the class lock and the stripe mine.
func (s *Store) evictTail(cls uint8, mine uint64, hold uint32) (ok, touchedMine bool) {
	ce := s.classEntry(cls)
	now := s.now()
	var victim, victimStripe uint64
	it := s.m.u64(ce + cLRUTail)
	for i := 0; i < lruSearchDepth && it != 0; i++ {
		if !s.validChunk(cls, it) || s.m.u8(it+iState) != stateLinked {
			break // a damaged list: leave it for Check
		}
		prev := s.m.u64(it + iPrev)
		stripe := s.stripeOf(s.m.u32(it + iHash))
		if stripe != mine && stripe != victimStripe && !s.tryLock(stripe, hold) {
			it = prev
			continue
		}
		if s.dead(it, now) != lookupHit {
			s.unlinkLocked(cls, it, s.findLink(it))
			s.m.a64(ce + cReclaimed).Add(1)
			s.releaseStripe(stripe, mine, victimStripe)
			if victim != 0 {
				s.releaseStripe(victimStripe, mine, 0)
			}
			return true, stripe == mine
		}
		if victim == 0 {
			victim, victimStripe = it, stripe
		} else {
			s.releaseStripe(stripe, mine, victimStripe)
		}
		it = prev
	}
	if victim == 0 {
		return false, false
	}
	s.evict(cls, victim)
	s.releaseStripe(victimStripe, mine, 0)
	return true, victimStripe == mine
}

// releaseStripe unlocks a stripe taken by tryLock, unless it is the caller's own or one
// still in use.
func (s *Store) releaseStripe(stripe, mine, keep uint64) {
	if stripe != mine && stripe != keep {
		s.unlock(stripe)
	}
}

// evict removes a live item to make room. Holds its class lock and its stripe.
func (s *Store) evict(cls uint8, it uint64) {
	if s.onEvict != nil {
		s.onEvict(s.itemKey(it))
	}
	s.unlinkLocked(cls, it, s.findLink(it))
	s.m.a64(s.classEntry(cls) + cEvictions).Add(1)
}

// stealPage moves one page from the class with the most pages to cls, evicting the items
// on it. Holds cls's lock and the stripe mine; takes the victim's locks only if free.
func (s *Store) stealPage(cls uint8, mine uint64, hold uint32) (ok, touchedMine bool) {
	victim, most := uint8(0), uint64(0)
	for c := 1; c <= s.numClasses; c++ {
		if n := s.m.a64(s.classEntry(uint8(c)) + cPages).Load(); uint8(c) != cls && n > most {
			victim, most = uint8(c), n
		}
	}
	if victim == 0 || !s.tryLock(s.classLock(victim), hold) {
		return false, false
	}
	defer s.unlock(s.classLock(victim))
	page, found := uint64(0), false
	for p := uint64(0); p < s.g.numPages; p++ {
		if s.pageClass(p) == uint32(victim) {
			page, found = p, true
			break
		}
	}
	if !found {
		return false, false
	}
	size, per := s.g.classSizes[victim], s.g.pageSize/s.g.classSizes[victim]
	start := s.pageStart(page)
	for i := uint64(0); i < per; i++ {
		it := start + i*size
		switch s.m.u8(it + iState) {
		case stateFree:
			continue
		case stateLinked:
			stripe := s.stripeOf(s.m.u32(it + iHash))
			if stripe != mine && !s.tryLock(stripe, hold) {
				return false, touchedMine
			}
			s.evict(victim, it)
			touchedMine = touchedMine || stripe == mine
			s.releaseStripe(stripe, mine, 0)
		default:
			return false, touchedMine // a chunk being filled by another client
		}
	}
	ve := s.classEntry(victim)
	for i := uint64(0); i < per; i++ {
		s.listRemove(ve, cFreeHead, 0, start+i*size)
	}
	s.m.a64(ve + cFreeCount).Add(-per)
	s.m.a64(ve + cTotalChunks).Add(-per)
	s.m.a64(ve + cPages).Add(^uint64(0))
	s.carve(cls, page)
	return true, touchedMine
}
