package kv

// The hash table: 2^power buckets of 8-byte item offsets, chained through each item's hnext.
// A bucket is guarded by the item lock stripe of its hashes (stripe = hash & stripeMask);
// since stripes never outnumber the smallest table's buckets, every item of a bucket, old
// or new, shares one stripe, and moving a bucket needs only that stripe.
//
// Growing (memcached's assoc_expand, without its maintenance thread): once items exceed 1.5
// per bucket, one client allocates a table twice the size from the page area and, holding
// every stripe for a moment, makes it primary with the old one still attached. From then on
// clients that store items move up to migrateBatch old buckets each, under each bucket's
// stripe, advancing a cursor; a lookup uses the old table for buckets at or above the
// cursor. When the cursor reaches the end the old table's pages are returned.

const migrateBatch = 64

// lookup outcomes of find.
type lookup uint8

const (
	lookupMiss lookup = iota
	lookupHit
	lookupExpired
	lookupFlushed
	lookupCorrupt
)

// bucketFor returns the offset of the bucket word for hash h. The caller holds h's stripe.
func (s *Store) bucketFor(h uint32) uint64 {
	m := s.m
	if m.a32(hExpanding).Load() != 0 {
		ob := uint64(h & (1<<m.u32(hOldPower) - 1))
		if ob >= m.a64(hCursor).Load() {
			return m.u64(hOld) + ob*8
		}
	}
	return m.u64(hPrimary) + uint64(h&(1<<m.u32(hHashPower)-1))*8
}

// find looks key up under its stripe, unlinking it on the way if it has expired or been
// flushed (memcached's lazy expiry). It returns the item and the offset of the word that
// links to it (a bucket or the previous item's hnext).
func (s *Store) find(key []byte, h uint32, now int64, hold uint32) (it, link uint64, res lookup) {
	link = s.bucketFor(h)
	for n := 0; n < s.chainLimit; n++ {
		it = s.m.u64(link)
		if it == 0 {
			return 0, 0, lookupMiss
		}
		if !s.validItem(it) {
			return 0, 0, lookupCorrupt
		}
		if s.keyIs(it, key, h) {
			if why := s.dead(it, now); why != lookupHit {
				s.m.a64(s.classEntry(s.m.u8(it+iClass)) + cReclaimed).Add(1) // as memcached's LRU maintainer would
				s.unlinkItem(it, link, hold)
				return 0, 0, why
			}
			return it, link, lookupHit
		}
		link = it + iHNext
	}
	return 0, 0, lookupCorrupt
}

// findLink returns the word linking to item it in its chain, or 0 if it is not there.
// The caller holds its stripe.
func (s *Store) findLink(it uint64) uint64 {
	link := s.bucketFor(s.m.u32(it + iHash))
	for n := 0; n < s.chainLimit; n++ {
		cur := s.m.u64(link)
		if cur == it {
			return link
		}
		if cur == 0 || !s.validItem(cur) {
			return 0
		}
		link = cur + iHNext
	}
	return 0
}

// dead reports whether a linked item has expired or been flushed at time now.
func (s *Store) dead(it uint64, now int64) lookup {
	if exp := s.m.u32(it + iExp); exp != 0 && int64(exp) <= now {
		return lookupExpired
	}
	if fc := s.m.a64(hFlushCAS).Load(); fc != 0 && s.m.u64(it+iCAS) <= fc {
		return lookupFlushed
	}
	t := uint64(s.m.u32(it + iTime))
	if fd := s.m.a64(hFlushDeadline).Load(); fd != 0 && uint64(now) >= fd && t < fd {
		return lookupFlushed
	}
	if fp := s.m.a64(hFlushPassed).Load(); fp != 0 && t < fp {
		return lookupFlushed
	}
	return lookupHit
}

// growCheckEvery is how many added items pass, on average, between counts of the items
// to decide whether the table must grow: counting sums every class's count, a cache line
// each. An added key whose hash's top bits are zero counts; growth starts a few dozen
// items past memcached's 1.5 per bucket instead of at it.
const growCheckEvery = 64

// maybeGrow starts or advances hash table growth after an item whose key hashes to h was
// added. The caller holds no stripe.
func (s *Store) maybeGrow(h uint32, hold uint32) {
	// Growth is the store's own housekeeping after a call that succeeded: a damaged table
	// or a lock held too long ends it (undone as far as it had gone) without failing the
	// call, and a later call tries again.
	var ignored error
	defer s.recoverOp(hold, &ignored)
	m := s.m
	tries := uint64(1) // added items this try stands for
	if m.a32(hExpanding).Load() == 0 {
		if h>>26 >= 64/growCheckEvery || m.a32(hGrowFailed).Load() != 0 || s.itemCount()*2 <= 3<<m.a32(hHashPower).Load() {
			return
		}
		tries = growCheckEvery
	}
	if !s.tryLock(hExpandLock, hold) {
		s.expandHolderCheck(hold, tries)
		return
	}
	if m.a32(hExpanding).Load() == 0 {
		s.startExpand(hold)
	} else {
		s.migrate(hold)
	}
	s.unlock(hExpandLock)
}

// startExpand allocates a table twice the size and makes it primary. Holds the expand
// lock. The pages are taken and recorded in the journal (jGrowFirst) in one section of the
// page lock; the install, under every stripe, clears the record. A repairer frees the pages
// of a table a dead client allocated but did not install.
func (s *Store) startExpand(hold uint32) {
	m := s.m
	power := uint64(m.a32(hHashPower).Load())
	if s.itemCount()*2 <= 3<<power || power >= 32 {
		return
	}
	size := uint64(8) << (power + 1)
	npages := (size + s.g.pageSize - 1) >> s.pageShift
	j := s.journal(hold)
	s.lock(hPagesLock, hold)
	first, ok := s.allocPagesLocked(npages, pageHashTable, hold)
	if ok {
		s.w64(hold, j+jGrowFirst, first+1)
		s.w64(hold, j+jGrowCount, npages)
	}
	s.unlock(hPagesLock)
	if !ok {
		m.a32(hGrowFailed).Store(1)
		return
	}
	table := s.pageStart(first)
	clear(m.bytes(table, size)) // no one else can reach these pages yet
	s.lockAllStripes(hold)
	for i := uint64(0); i < s.g.stripes; i++ {
		s.beginWriting(s.g.stripeOff + i*stripeSize)
	}
	s.w64(hold, hOld, m.u64(hPrimary))
	s.w32(hold, hOldPower, uint32(power))
	s.w64(hold, hOldFirstPage, m.u64(hPrimaryFirstPage))
	s.w64(hold, hOldPageCount, m.u64(hPrimaryPageCount))
	s.w64(hold, hPrimary, table)
	s.w64(hold, hPrimaryFirstPage, first+1)
	s.w64(hold, hPrimaryPageCount, npages)
	s.w32(hold, hHashPower, uint32(power+1))
	s.w64a(hold, hCursor, 0)
	s.w32(hold, hExpanding, 1)
	s.w64(hold, j+jGrowFirst, 0)
	s.unlockAllStripes()
}

// abortGrow returns the pages of a table the journal says was allocated but not
// installed. Holds the expand lock; takes the page lock unless h holds it already.
func (s *Store) abortGrow(h uint32) {
	j := s.journal(h)
	first := s.m.u64(j + jGrowFirst)
	if first == 0 {
		return
	}
	held := heldBy(s.m.a32(hPagesLock).Load(), h)
	if !held {
		s.lock(hPagesLock, h)
	}
	s.freePagesLocked(first-1, s.m.u64(j+jGrowCount), h)
	s.w64(h, j+jGrowFirst, 0)
	s.w64(h, j+jGrowCount, 0)
	s.unlock(hPagesLock)
}

// migrate moves up to migrateBatch buckets from the old table. Holds the expand lock.
func (s *Store) migrate(hold uint32) {
	m := s.m
	oldSize := uint64(1) << m.u32(hOldPower)
	for n := 0; n < migrateBatch; n++ {
		b := m.a64(hCursor).Load()
		if b >= oldSize {
			break
		}
		stripe := s.stripeOf(uint32(b))
		s.lock(stripe, hold)
		s.w64(hold, s.journal(hold)+jMigrate, b+1)
		s.migrateBucket(hold)
		s.unlock(stripe)
	}
	if m.a64(hCursor).Load() < oldSize {
		return
	}
	// Every bucket has moved: no lookup can reach the old table any more. The table's
	// pages are freed and the migration ends in one section of the page lock.
	s.lock(hPagesLock, hold)
	s.w32(hold, hExpanding, 0)
	if first := m.u64(hOldFirstPage); first != 0 {
		s.freePagesLocked(first-1, m.u64(hOldPageCount), hold)
	}
	s.w64(hold, hOldFirstPage, 0)
	s.w64(hold, hOldPageCount, 0)
	s.unlock(hPagesLock)
}

// migrateBucket moves the items of the old bucket the journal names (jMigrate) into the
// new table, one committed step per item (into the new chain, then out of the old), then
// advances the cursor. Holds the expand lock and the bucket's stripe. A repairer calls it
// to finish a dead client's bucket.
func (s *Store) migrateBucket(h uint32) {
	m, j := s.m, s.journal(h)
	if m.u64(j+jMigrate) == 0 {
		return
	}
	b := m.u64(j+jMigrate) - 1
	s.beginWriting(s.stripeOf(uint32(b)))
	newMask := uint32(1)<<m.u32(hHashPower) - 1
	old, primary := m.u64(hOld), m.u64(hPrimary)
	for n, it := 0, m.u64(old+b*8); it != 0; n, it = n+1, m.u64(old+b*8) {
		if n >= s.chainLimit || !s.validItem(it) {
			break // a corrupt (or cyclic) chain stays behind for Check to report
		}
		next := m.u64(it + iHNext)
		nb := primary + uint64(m.u32(it+iHash)&newMask)*8
		s.w64(h, it+iHNext, m.u64(nb))
		s.w64(h, nb, it)
		s.w64(h, old+b*8, next)
		s.commit(h)
	}
	s.w64(h, old+b*8, 0)
	s.w64a(h, hCursor, b+1)
	s.w64(h, j+jMigrate, 0)
	s.commit(h)
}

func (s *Store) lockAllStripes(hold uint32) {
	for i := uint64(0); i < s.g.stripes; i++ {
		s.lock(s.g.stripeOff+i*stripeSize, hold)
	}
}

func (s *Store) unlockAllStripes() {
	for i := uint64(0); i < s.g.stripes; i++ {
		s.unlock(s.g.stripeOff + i*stripeSize)
	}
}

// itemCount is the number of linked items: the sum of the classes' counts, each exact under
// its class lock (a crash cannot leave it off by one), read here without the locks.
func (s *Store) itemCount() uint64 {
	var n uint64
	for cls := 1; cls <= s.numClasses; cls++ {
		n += s.m.a64(s.classEntry(uint8(cls)) + cItems).Load()
	}
	return n
}

// expandCheckEvery is how many failed tries of the expand lock, in this process, pass
// between looks at whether its holder lives (a try made for one in growCheckEvery added
// items counts as that many).
const expandCheckEvery = 256

// expandHolderCheck repairs a dead holder of the expand lock. That lock is only ever
// tried, never waited for, so no waiter would otherwise notice its holder's death and
// growth would stop until the dead slot was reclaimed. Asking costs a look at /proc, so
// only every expandCheckEvery-th failed try asks.
func (s *Store) expandHolderCheck(hold uint32, tries uint64) {
	if n := s.expandTries.Add(tries); n/expandCheckEvery == (n-tries)/expandCheckEvery {
		return
	}
	cur := s.m.a32(hExpandLock).Load()
	dead := cur & holderMask
	switch {
	case dead == 0 || s.holderAlive(dead):
	case uint64(dead) > s.g.maxSlots+1:
		s.m.a32(hExpandLock).CompareAndSwap(cur, 0) // garbage: no journal to repair from
	default:
		s.repairHolder(dead, hold)
	}
}
