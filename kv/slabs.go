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

// setPageClass records page's owner, journaled. Holds the page lock or the owning class's.
func (s *Store) setPageClass(h uint32, page uint64, cls uint32) {
	s.w32(h, s.g.pageTableOff+page*4, cls)
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

// alloc returns a chunk of class cls in state stateAlloc, recorded in the caller's journal
// (jAlloc) until it is linked or freed. mine is the stripe the caller holds; evicting may
// remove items of that stripe, which the caller learns from touchedMine (its earlier lookups
// may then be stale). With keep, a successful alloc returns with the class lock still held,
// for a caller that will link the chunk in the same section (storeLocked's small items).
func (s *Store) alloc(cls uint8, mine uint64, hold uint32, keep bool) (it uint64, touchedMine bool, err error) {
	ce := s.classEntry(cls)
	for attempt := 0; attempt < allocRetries; attempt++ {
		s.lock(ce+cLock, hold)
		if ok, t := s.reclaimTail(cls, mine, hold); ok { // a dead item's memory first
			touchedMine = touchedMine || t
		}
		for {
			if it = s.popFree(hold, cls); it != 0 {
				if !keep {
					s.unlock(ce + cLock)
				}
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

// growClass gives class cls a new page. Holds the class lock. The page is taken, owned and
// recorded as being carved in one section of the page lock, so a crash cannot lose it.
func (s *Store) growClass(cls uint8, hold uint32) bool {
	s.lock(hPagesLock, hold)
	page, ok := s.allocPagesLocked(1, uint32(cls), hold)
	if !ok {
		s.unlock(hPagesLock)
		return false
	}
	s.startCarve(hold, cls, page)
	s.unlock(hPagesLock)
	s.finishCarve(hold)
	return true
}

// startCarve counts page as class cls's and records in the journal that its chunks are to
// be put on the free list. Holds the class lock.
func (s *Store) startCarve(h uint32, cls uint8, page uint64) {
	j := s.journal(h)
	s.addLocked(h, s.classEntry(cls)+cPages, 1)
	s.w64(h, j+jCarvePage, page+1)
	s.w32(h, j+jCarveClass, uint32(cls))
}

// finishCarve puts the chunks of the page the journal names on its class's free list.
// Holds the class lock. The page is the carver's alone until it is spliced in: its chunks
// are chained (first chunk first) with plain stores, then the chain joins the head of the
// free list with a handful of journaled stores that also clear the record. A repairer
// calls it to finish a dead client's carve, building the chain afresh.
func (s *Store) finishCarve(h uint32) {
	m, j := s.m, s.journal(h)
	if m.u64(j+jCarvePage) == 0 {
		return
	}
	page, cls := m.u64(j+jCarvePage)-1, uint8(m.u32(j+jCarveClass))
	size := s.chunkSize(cls)
	per := s.g.pageSize / size
	start, ce := s.pageStart(page), s.classEntry(cls)
	for i := uint64(0); i < per; i++ {
		it := start + i*size
		m.setU64(it+iHNext, 0)
		m.setU64(it+iPrev, it-size)
		m.setU64(it+iNext, it+size)
		m.setU8(it+iClass, cls)
		m.setU8(it+iNKey, 0)
		m.setU32(it+iNBytes, 0)
		m.setU8(it+iState, stateFree)
	}
	first, last := start, start+(per-1)*size
	m.setU64(first+iPrev, 0)
	head := m.u64(ce + cFreeHead)
	if head != 0 && !s.inPages(head) {
		head = 0 // a damaged list head: start the list afresh
	}
	m.setU64(last+iNext, head)
	if head != 0 {
		s.w64(h, head+iPrev, last)
	}
	s.w64(h, ce+cFreeHead, first)
	s.addLocked(h, ce+cFreeCount, per)
	s.addLocked(h, ce+cTotalChunks, per)
	s.w64(h, j+jCarvePage, 0)
	s.commit(h)
}

// allocPagesLocked takes n contiguous unused pages, marking them owned by owner (a class,
// or pageHashTable): from the returned-page stack when n is 1, else from the never-used
// pages. It returns the first page's index. Holds the page lock.
func (s *Store) allocPagesLocked(n uint64, owner uint32, h uint32) (uint64, bool) {
	m := s.m
	if top := m.u64(hFreePages); n == 1 && top != 0 && top <= s.g.numPages {
		page := top - 1
		s.w64(h, hFreePages, m.u64(s.pageStart(page)))
		s.w64(h, hFreePageCount, m.u64(hFreePageCount)-1)
		s.setPageClass(h, page, owner)
		return page, true
	}
	next := m.u64(hBumpNext)
	if next+n > s.g.numPages {
		return 0, false
	}
	s.w64(h, hBumpNext, next+n)
	for p := next; p < next+n; p++ {
		s.setPageClass(h, p, owner)
	}
	return next, true
}

// freePagesLocked returns n pages starting at first to the returned-page stack. Holds the
// page lock.
func (s *Store) freePagesLocked(first, n uint64, h uint32) {
	m := s.m
	for p := first; p < first+n; p++ {
		s.setPageClass(h, p, pageUnassigned)
		s.w64(h, s.pageStart(p), m.u64(hFreePages))
		s.w64(h, hFreePages, p+1)
		s.w64(h, hFreePageCount, m.u64(hFreePageCount)+1)
	}
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
			s.unlinkLocked(hold, cls, it, s.findLink(it))
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
	if s.noEvict { // -M: refuse rather than evict a live item
		s.releaseStripe(victimStripe, mine, 0)
		return false, false
	}
	s.evict(hold, cls, victim)
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
func (s *Store) evict(h uint32, cls uint8, it uint64) {
	if s.onEvict != nil {
		s.onEvict(s.itemKey(it))
	}
	s.countEviction(cls, it)
	s.unlinkLocked(h, cls, it, s.findLink(it))
	s.m.a64(s.classEntry(cls) + cEvictions).Add(1)
}
