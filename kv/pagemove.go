package kv

// stealPage moves one page from the class with the most pages to cls, evicting the items
// on it: memcached's slab rebalancer, done inline. Holds cls's lock and the stripe mine;
// takes the victim's locks only if free.
//
// Crash safety: each eviction is its own committed step. Once the page holds only free
// chunks, the journal records the move (jMovePage) and finishMove takes the chunks off the
// victim's free list in committed batches, marking them stateMoving, then hands the page to
// cls and carves it. A repairer holding the dead client's locks finishes a recorded move.
func (s *Store) stealPage(cls uint8, mine uint64, hold uint32) (ok, touchedMine bool) {
	// Victims in order of pages held, most first (memcached's rebalancer takes from the
	// class with the most). A victim whose lock is busy, or whose page cannot be emptied
	// now, is passed over for the next: a client linking an item can hold a class's lock
	// while it waits for this one's.
	var tried [maxClassIDs + 1]bool
	for range s.numClasses {
		victim, most := uint8(0), uint64(0)
		for c := 1; c <= s.numClasses; c++ {
			if n := s.m.a64(s.classEntry(uint8(c)) + cPages).Load(); uint8(c) != cls && !tried[c] && n > most {
				victim, most = uint8(c), n
			}
		}
		if victim == 0 {
			return false, touchedMine
		}
		tried[victim] = true
		if !s.tryLock(s.classLock(victim), hold) {
			continue
		}
		ok, t := s.stealFrom(victim, cls, mine, hold)
		s.unlock(s.classLock(victim))
		touchedMine = touchedMine || t
		if ok {
			return true, touchedMine
		}
	}
	return false, touchedMine
}

// stealFrom empties a page of class victim and moves it to cls. Holds both class locks.
func (s *Store) stealFrom(victim, cls uint8, mine uint64, hold uint32) (ok, touchedMine bool) {
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
	size := s.chunkSize(victim)
	per := s.g.pageSize / size
	start := s.pageStart(page)
	for i := uint64(0); i < per; i++ {
		it := start + i*size
		switch s.m.u8(it + iState) {
		case stateFree:
			continue
		case stateLinked:
			if s.noEvict {
				return false, touchedMine // -M: no live item is evicted to move its page
			}
			stripe := s.stripeOf(s.m.u32(it + iHash))
			if stripe != mine && !s.tryLock(stripe, hold) {
				return false, touchedMine
			}
			s.evict(hold, victim, it)
			touchedMine = touchedMine || stripe == mine
			s.releaseStripe(stripe, mine, 0)
			s.commit(hold)
		default:
			return false, touchedMine // a chunk being filled by another client
		}
	}
	j := s.journal(hold)
	s.w64(hold, j+jMovePage, page+1)
	s.w32(hold, j+jMoveFrom, uint32(victim))
	s.w32(hold, j+jMoveTo, uint32(cls))
	s.commit(hold)
	s.finishMove(hold)
	return true, touchedMine
}

// finishMove completes the page move the journal records: the page's free chunks leave the
// old class's free list (three journaled stores each, committed in batches, each marked
// stateMoving so that a repairer finishing the move skips them), then in one section the
// old class's counts drop, the page changes owner and is recorded for carving, and it is
// carved for the new class. Holds both class locks.
func (s *Store) finishMove(h uint32) {
	m, j := s.m, s.journal(h)
	if m.u64(j+jMovePage) == 0 {
		return
	}
	page, from, to := m.u64(j+jMovePage)-1, uint8(m.u32(j+jMoveFrom)), uint8(m.u32(j+jMoveTo))
	size := s.chunkSize(from)
	per := s.g.pageSize / size
	start, fe := s.pageStart(page), s.classEntry(from)
	batch := 0
	for i := uint64(0); i < per; i++ {
		it := start + i*size
		if m.u8(it+iState) != stateFree {
			continue // moved by an earlier batch
		}
		prev, next := m.u64(it+iPrev), m.u64(it+iNext)
		if prev != 0 && s.inPages(prev) {
			s.w64(h, prev+iNext, next)
		} else {
			s.w64(h, fe+cFreeHead, next)
		}
		if next != 0 && s.inPages(next) {
			s.w64(h, next+iPrev, prev)
		}
		s.w8(h, it+iState, stateMoving)
		if batch++; batch == 2*chunkBatch {
			s.commit(h)
			batch = 0
		}
	}
	s.addLocked(h, fe+cFreeCount, -per) // every chunk of the page was free
	s.addLocked(h, fe+cTotalChunks, -per)
	s.addLocked(h, fe+cPages, ^uint64(0))
	s.setPageClass(h, page, uint32(to))
	s.w64(h, j+jMovePage, 0)
	s.startCarve(h, to, page)
	s.commit(h)
	s.finishCarve(h)
}
