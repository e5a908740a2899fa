package kv

// Each slab class keeps two doubly linked lists through its chunks' prev/next words, both
// guarded by the class lock: the LRU of linked items (head = most recently used) and the
// free list. A chunk is on exactly one of them, or on neither while a client fills it.
// Every store to them is journaled (w8/w32/w64 with the holder's id h).

// lruUpdateInterval is memcached's ITEM_UPDATE_INTERVAL: a read moves an item to the head
// of its LRU at most once a minute, so hot items do not serialise on the class lock.
const lruUpdateInterval = 60

// inPages reports whether off may be dereferenced as an item header: 8-aligned, in the page
// area. List neighbours are checked with it before every store through them, so a damaged
// list can corrupt the store further but never write outside the region.
func (s *Store) inPages(off uint64) bool {
	return off >= s.g.firstPage && off&7 == 0 && off+itemHeaderSize <= s.g.regionSize
}

func (s *Store) listPushHead(h uint32, ce, headField, tailField, it uint64) {
	m := s.m
	head := m.u64(ce + headField)
	if head != 0 && !s.inPages(head) {
		head = 0 // a damaged list head: start the list afresh
	}
	s.w64(h, it+iPrev, 0)
	s.w64(h, it+iNext, head)
	if head != 0 {
		s.w64known(h, head+iPrev, 0, it) // a list's head has no predecessor
	} else if tailField != 0 {
		s.w64(h, ce+tailField, it)
	}
	s.w64(h, ce+headField, it)
}

func (s *Store) listRemove(h uint32, ce, headField, tailField, it uint64) {
	m := s.m
	prev, next := m.u64(it+iPrev), m.u64(it+iNext)
	if prev != 0 && !s.inPages(prev) {
		prev = 0
	}
	if next != 0 && !s.inPages(next) {
		next = 0
	}
	// prev's next and next's prev point at it: undoing needs no load of their cold lines.
	if prev != 0 {
		s.w64known(h, prev+iNext, it, next)
	} else {
		s.w64(h, ce+headField, next)
	}
	if next != 0 {
		s.w64known(h, next+iPrev, it, prev)
	} else if tailField != 0 {
		s.w64(h, ce+tailField, prev)
	}
	s.w64(h, it+iPrev, 0)
	s.w64(h, it+iNext, 0)
}

// lruLink puts a filled chunk at the head of its class's LRU and counts it. Holds the class lock.
func (s *Store) lruLink(h uint32, cls uint8, it uint64) {
	ce := s.classEntry(cls)
	s.listPushHead(h, ce, cLRUHead, cLRUTail, it)
	s.w8(h, it+iState, stateLinked)
	s.addLocked(h, ce+cItems, 1)
	s.addLocked(h, ce+cBytes, s.itemSize(it))
}

// lruUnlink takes an item off its class's LRU and uncounts it. Holds the class lock.
func (s *Store) lruUnlink(h uint32, cls uint8, it uint64) {
	ce := s.classEntry(cls)
	s.listRemove(h, ce, cLRUHead, cLRUTail, it)
	s.addLocked(h, ce+cItems, ^uint64(0))
	s.addLocked(h, ce+cBytes, -s.itemSize(it))
}

// bump moves a read item to the head of its LRU if it has not moved for a minute. The
// caller holds the item's stripe.
func (s *Store) bump(it uint64, now int64, hold uint32) {
	if now-int64(s.m.u32(it+iTime)) < lruUpdateInterval {
		return
	}
	cls := s.classOf(it)
	ce := s.classEntry(cls)
	s.lock(ce+cLock, hold)
	s.listRemove(hold, ce, cLRUHead, cLRUTail, it)
	s.listPushHead(hold, ce, cLRUHead, cLRUTail, it)
	s.unlock(ce + cLock)
	s.m.setU32(it+iTime, uint32(now)) // one store, guarded by the stripe: nothing to undo
}

// freeChunk returns a chunk to its class's free list. Holds the class lock.
func (s *Store) freeChunk(h uint32, cls uint8, it uint64) {
	ce := s.classEntry(cls)
	s.w8(h, it+iState, stateFree)
	s.w64(h, it+iHNext, 0)
	s.listPushHead(h, ce, cFreeHead, 0, it)
	s.addLocked(h, ce+cFreeCount, 1)
}

// popFree takes a chunk off the free list and records it in the caller's journal as
// allocated, or returns 0. Holds the class lock.
func (s *Store) popFree(h uint32, cls uint8) uint64 {
	ce := s.classEntry(cls)
	it := s.m.u64(ce + cFreeHead)
	if it == 0 || !s.validChunk(cls, it) || s.m.u8(it+iState) != stateFree {
		return 0
	}
	s.listRemove(h, ce, cFreeHead, 0, it)
	s.addLocked(h, ce+cFreeCount, ^uint64(0))
	s.w8(h, it+iState, stateAlloc)
	s.w8(h, it+iClass, cls) // what free-list membership says, whatever the word held
	s.w64(h, s.journal(h)+jAlloc, it)
	return it
}

// validChunk reports whether off is a chunk boundary in a page of class cls.
func (s *Store) validChunk(cls uint8, off uint64) bool {
	if off < s.g.firstPage || off >= s.pageStart(s.g.numPages) {
		return false
	}
	page := s.pageOf(off)
	if s.pageClass(page) != uint32(cls) {
		return false
	}
	in := off - s.pageStart(page)
	size := s.chunkSize(cls)
	return in%size == 0 && in+size <= s.g.pageSize
}

// unlinkItem removes a linked item from the hash chain (through link, the word pointing at
// it) and from its LRU, and frees its chunk, all in one section of its class lock. The
// caller holds its stripe.
func (s *Store) unlinkItem(it, link uint64, hold uint32) {
	cls := s.classOf(it)
	s.lock(s.classLock(cls), hold)
	s.unlinkLocked(hold, cls, it, link)
	s.unlock(s.classLock(cls))
}

// unlinkLocked is unlinkItem for a caller that already holds the class lock too.
func (s *Store) unlinkLocked(h uint32, cls uint8, it, link uint64) {
	s.beginWriting(s.stripeOf(s.m.u32(it + iHash)))
	if link != 0 {
		s.w64(h, link, s.m.u64(it+iHNext))
	}
	s.lruUnlink(h, cls, it)
	s.freeChunk(h, cls, it)
}
