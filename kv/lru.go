package kv

// Each slab class keeps two doubly linked lists through its chunks' prev/next words, both
// guarded by the class lock: the LRU of linked items (head = most recently used) and the
// free list. A chunk is on exactly one of them, or on neither while a client fills it.

// lruUpdateInterval is memcached's ITEM_UPDATE_INTERVAL: a read moves an item to the head
// of its LRU at most once a minute, so hot items do not serialise on the class lock.
const lruUpdateInterval = 60

// inPages reports whether off may be dereferenced as an item header: 8-aligned, in the page
// area. List neighbours are checked with it before every store through them, so a damaged
// list can corrupt the store further but never write outside the region.
func (s *Store) inPages(off uint64) bool {
	return off >= s.g.firstPage && off&7 == 0 && off+itemHeaderSize <= s.g.regionSize
}

func (s *Store) listPushHead(ce, headField, tailField, it uint64) {
	m := s.m
	head := m.u64(ce + headField)
	if head != 0 && !s.inPages(head) {
		head = 0 // a damaged list head: start the list afresh
	}
	m.setU64(it+iPrev, 0)
	m.setU64(it+iNext, head)
	if head != 0 {
		m.setU64(head+iPrev, it)
	} else if tailField != 0 {
		m.setU64(ce+tailField, it)
	}
	m.setU64(ce+headField, it)
}

func (s *Store) listRemove(ce, headField, tailField, it uint64) {
	m := s.m
	prev, next := m.u64(it+iPrev), m.u64(it+iNext)
	if prev != 0 && !s.inPages(prev) {
		prev = 0
	}
	if next != 0 && !s.inPages(next) {
		next = 0
	}
	if prev != 0 {
		m.setU64(prev+iNext, next)
	} else {
		m.setU64(ce+headField, next)
	}
	if next != 0 {
		m.setU64(next+iPrev, prev)
	} else if tailField != 0 {
		m.setU64(ce+tailField, prev)
	}
	m.setU64(it+iPrev, 0)
	m.setU64(it+iNext, 0)
}

// lruLink puts a filled chunk at the head of its class's LRU and counts it. Holds the class lock.
func (s *Store) lruLink(cls uint8, it uint64) {
	ce := s.classEntry(cls)
	s.listPushHead(ce, cLRUHead, cLRUTail, it)
	s.m.setU8(it+iState, stateLinked)
	s.m.a64(ce + cItems).Add(1)
	s.m.a64(ce + cBytes).Add(s.itemSize(it))
}

// lruUnlink takes an item off its class's LRU and uncounts it. Holds the class lock.
func (s *Store) lruUnlink(cls uint8, it uint64) {
	ce := s.classEntry(cls)
	s.listRemove(ce, cLRUHead, cLRUTail, it)
	s.m.a64(ce + cItems).Add(^uint64(0))
	s.m.a64(ce + cBytes).Add(-s.itemSize(it))
}

// bump moves a read item to the head of its LRU if it has not moved for a minute. The
// caller holds the item's stripe.
func (s *Store) bump(it uint64, now int64, hold uint32) {
	if now-int64(s.m.u32(it+iTime)) < lruUpdateInterval {
		return
	}
	cls := s.m.u8(it + iClass)
	ce := s.classEntry(cls)
	s.lock(ce+cLock, hold)
	s.listRemove(ce, cLRUHead, cLRUTail, it)
	s.listPushHead(ce, cLRUHead, cLRUTail, it)
	s.unlock(ce + cLock)
	s.m.setU32(it+iTime, uint32(now))
}

// freeChunk returns a chunk to its class's free list. Holds the class lock.
func (s *Store) freeChunk(cls uint8, it uint64) {
	ce := s.classEntry(cls)
	s.m.setU8(it+iState, stateFree)
	s.m.setU64(it+iHNext, 0)
	s.listPushHead(ce, cFreeHead, 0, it)
	s.m.a64(ce + cFreeCount).Add(1)
}

// popFree takes a chunk off the free list, or returns 0. Holds the class lock.
func (s *Store) popFree(cls uint8) uint64 {
	ce := s.classEntry(cls)
	it := s.m.u64(ce + cFreeHead)
	if it == 0 || !s.validChunk(cls, it) || s.m.u8(it+iState) != stateFree {
		return 0
	}
	s.listRemove(ce, cFreeHead, 0, it)
	s.m.a64(ce + cFreeCount).Add(^uint64(0))
	s.m.setU8(it+iState, stateAlloc)
	s.m.setU8(it+iClass, cls) // what free-list membership says, whatever the word held
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
	size := s.g.classSizes[cls]
	return in%size == 0 && in+size <= s.g.pageSize
}

// unlinkItem removes a linked item from the hash chain (through link, the word pointing at
// it) and from its LRU, and frees its chunk. The caller holds its stripe.
func (s *Store) unlinkItem(it, link uint64, hold uint32) {
	cls := s.m.u8(it + iClass)
	s.lock(s.classLock(cls), hold)
	s.unlinkLocked(cls, it, link)
	s.unlock(s.classLock(cls))
}

// unlinkLocked is unlinkItem for a caller that already holds the class lock too.
func (s *Store) unlinkLocked(cls uint8, it, link uint64) {
	if link != 0 {
		s.m.setU64(link, s.m.u64(it+iHNext))
	}
	s.m.a64(hItemCount).Add(^uint64(0))
	s.lruUnlink(cls, it)
	s.freeChunk(cls, it)
}
