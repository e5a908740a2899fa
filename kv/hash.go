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
	for n := 0; n < maxChain; n++ {
		it = s.m.u64(link)
		if it == 0 {
			return 0, 0, lookupMiss
		}
		if !s.validItem(it) {
			return 0, 0, lookupCorrupt
		}
		if s.keyIs(it, key, h) {
			if why := s.dead(it, now); why != lookupHit {
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
	for n := 0; n < maxChain; n++ {
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

// maybeGrow starts or advances hash table growth. The caller holds no stripe.
func (s *Store) maybeGrow(hold uint32) {
	m := s.m
	if m.a32(hExpanding).Load() == 0 {
		if m.a32(hGrowFailed).Load() != 0 || m.a64(hItemCount).Load()*2 <= 3<<m.a32(hHashPower).Load() {
			return
		}
	}
	if !s.tryLock(hExpandLock, hold) {
		return
	}
	if m.a32(hExpanding).Load() == 0 {
		s.startExpand(hold)
	} else {
		s.migrate(hold)
	}
	s.unlock(hExpandLock)
}

// startExpand allocates a table twice the size and makes it primary. Holds the expand lock.
func (s *Store) startExpand(hold uint32) {
	m := s.m
	power := uint64(m.a32(hHashPower).Load())
	if m.a64(hItemCount).Load()*2 <= 3<<power || power >= 32 {
		return
	}
	size := uint64(8) << (power + 1)
	npages := (size + s.g.pageSize - 1) >> s.pageShift
	first, ok := s.allocPageRun(npages, hold)
	if !ok {
		m.a32(hGrowFailed).Store(1)
		return
	}
	table := s.pageStart(first)
	clear(m.bytes(table, size))
	s.lockAllStripes(hold)
	m.setU64(hOld, m.u64(hPrimary))
	m.setU32(hOldPower, uint32(power))
	m.setU64(hOldFirstPage, m.u64(hPrimaryFirstPage))
	m.setU64(hOldPageCount, m.u64(hPrimaryPageCount))
	m.setU64(hPrimary, table)
	m.setU64(hPrimaryFirstPage, first+1)
	m.setU64(hPrimaryPageCount, npages)
	m.a32(hHashPower).Store(uint32(power + 1))
	m.a64(hCursor).Store(0)
	m.a32(hExpanding).Store(1)
	s.unlockAllStripes()
}

// migrate moves up to migrateBatch buckets from the old table. Holds the expand lock.
func (s *Store) migrate(hold uint32) {
	m := s.m
	oldSize := uint64(1) << m.u32(hOldPower)
	newMask := uint32(1)<<m.u32(hHashPower) - 1
	old, primary := m.u64(hOld), m.u64(hPrimary)
	for n := 0; n < migrateBatch; n++ {
		b := m.a64(hCursor).Load()
		if b >= oldSize {
			break
		}
		stripe := s.stripeOf(uint32(b))
		s.lock(stripe, hold)
		for it := m.u64(old + b*8); it != 0; {
			if !s.validItem(it) {
				break // a corrupt chain stays behind for Check to report
			}
			next := m.u64(it + iHNext)
			nb := primary + uint64(m.u32(it+iHash)&newMask)*8
			m.setU64(it+iHNext, m.u64(nb))
			m.setU64(nb, it)
			m.setU64(old+b*8, next)
			it = next
		}
		m.setU64(old+b*8, 0)
		m.a64(hCursor).Store(b + 1)
		s.unlock(stripe)
	}
	if m.a64(hCursor).Load() < oldSize {
		return
	}
	// Every bucket has moved: no lookup can reach the old table any more.
	m.a32(hExpanding).Store(0)
	if first := m.u64(hOldFirstPage); first != 0 {
		s.freePageRun(first-1, m.u64(hOldPageCount), hold)
	}
	m.setU64(hOldFirstPage, 0)
	m.setU64(hOldPageCount, 0)
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
