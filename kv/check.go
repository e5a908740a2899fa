package kv

import (
	"fmt"
	"strings"
)

// CheckError lists the invariant violations Check found. It wraps ErrCorrupt.
type CheckError struct {
	Problems []string
}

func (e *CheckError) Error() string {
	return fmt.Sprintf("kv: check found %d problem(s): %s", len(e.Problems), strings.Join(e.Problems, "; "))
}

// Unwrap makes errors.Is(err, ErrCorrupt) true.
func (e *CheckError) Unwrap() error { return ErrCorrupt }

const maxProblems = 32

// Check verifies the store's invariants: every page is owned by one class, a hash table or
// the free-page stack; every chunk is free (on its class's free list once) or linked
// (reachable once from the hash table, in the right bucket, and once from its class's LRU);
// lists are well formed; item, byte, chunk and page counts agree. It holds every lock of the
// store while it runs, so it sees a consistent state and other clients wait. It holds the
// locks as the maintenance slot, MaintenanceSlot(); CheckAs names another.
func (s *Store) Check() error { return s.CheckAs(s.MaintenanceSlot()) }

// MaintenanceSlot is the slot id, one past the client slots, that Check uses when no client
// slot is named. Options.HolderAlive is asked about it like any other.
func (s *Store) MaintenanceSlot() Slot { return Slot(s.g.maxSlots) }

// CheckAs is Check holding the store's locks as slot, which may be a client slot or
// MaintenanceSlot().
//
// A lock held by a live client for longer than Options.LockTimeout ends the check with a
// *BusyError naming the holder, every lock the check had taken released.
func (s *Store) CheckAs(slot Slot) (err error) {
	if uint64(slot) > s.g.maxSlots {
		return ErrBadSlot
	}
	hold := holder(slot)
	defer s.recoverOp(hold, &err)
	s.lock(hExpandLock, hold)
	s.lockAllStripes(hold)
	for cls := 1; cls <= s.numClasses; cls++ {
		s.lock(s.classLock(uint8(cls)), hold)
	}
	s.lock(hPagesLock, hold)
	c := &checker{s: s}
	c.runGuarded()
	s.unlock(hPagesLock)
	for cls := s.numClasses; cls >= 1; cls-- {
		s.unlock(s.classLock(uint8(cls)))
	}
	s.unlockAllStripes()
	s.unlock(hExpandLock)
	if len(c.problems) > 0 {
		return &CheckError{Problems: c.problems}
	}
	return nil
}

type checker struct {
	s         *Store
	problems  []string
	pageBase  []uint64 // index of each page's first chunk in the visited bitsets
	inLRU     bitset
	inHash    bitset
	pagesOf   []uint64 // pages per class
	itemCount uint64
	// pending holds the chunks that journals record as allocated by a client that died
	// before linking them: RecoverSlot frees them when the slot is reused.
	pending map[uint64]bool
}

func (c *checker) fail(format string, args ...any) {
	if len(c.problems) < maxProblems {
		c.problems = append(c.problems, fmt.Sprintf(format, args...))
	}
}

// runGuarded is run, ended early by damage so bad that a walk would leave the region (or a
// Go table), which it reports as one more problem.
func (c *checker) runGuarded() {
	defer func() {
		if r := recover(); r != nil {
			e := panicError(r)
			if e == nil {
				panic(r)
			}
			c.fail("check stopped: %v", e)
		}
	}()
	c.run()
}

func (c *checker) run() {
	c.checkJournals()
	c.checkPages()
	if len(c.problems) > 0 {
		return // chunk walks need sound page ownership
	}
	for cls := 1; cls <= c.s.numClasses; cls++ {
		c.checkClass(uint8(cls))
	}
	c.checkHash()
	for cls := 1; cls <= c.s.numClasses; cls++ {
		c.checkChunks(uint8(cls))
	}
}

// chunkIndex numbers every chunk of every page, for the visited bitsets.
func (c *checker) chunkIndex(off uint64) uint64 {
	s := c.s
	page := s.pageOf(off)
	return c.pageBase[page] + (off-s.pageStart(page))/s.g.classSizes[s.pageClass(page)]
}

func (c *checker) checkPages() {
	s, m := c.s, c.s.m
	bump := m.u64(hBumpNext)
	c.pagesOf = make([]uint64, s.numClasses+1)
	c.pageBase = make([]uint64, s.g.numPages+1)
	var chunks, free, table uint64
	for p := uint64(0); p < s.g.numPages; p++ {
		c.pageBase[p] = chunks
		cls := s.pageClass(p)
		switch {
		case p >= bump && cls != pageUnassigned:
			c.fail("page %d beyond the bump index %d is assigned (%d)", p, bump, cls)
		case cls == pageUnassigned && p < bump:
			free++
		case cls == pageHashTable:
			table++
		case cls >= 1 && int(cls) <= s.numClasses:
			c.pagesOf[cls]++
			chunks += s.g.pageSize / s.g.classSizes[cls]
		case cls != pageUnassigned:
			c.fail("page %d has invalid owner %d", p, cls)
		}
	}
	c.pageBase[s.g.numPages] = chunks
	c.inLRU, c.inHash = newBitset(chunks), newBitset(chunks)
	stack := uint64(0)
	seen := newBitset(s.g.numPages)
	for top := m.u64(hFreePages); top != 0; top = m.u64(s.pageStart(top - 1)) {
		p := top - 1
		if p >= bump || s.pageClass(p) != pageUnassigned || seen.get(p) {
			c.fail("free page stack holds page %d (owner %d, bump %d, seen %v)", p, s.pageClass(p), bump, seen.get(p))
			return
		}
		seen.set(p)
		stack++
	}
	if stack != free || stack != m.u64(hFreePageCount) {
		c.fail("free pages: %d unowned below bump, %d on the stack, count says %d", free, stack, m.u64(hFreePageCount))
	}
	want := m.u64(hPrimaryPageCount) + m.u64(hOldPageCount)
	if table != want {
		c.fail("%d pages marked hash table, tables account for %d", table, want)
	}
}

func (c *checker) checkClass(cls uint8) {
	s, m := c.s, c.s.m
	ce := s.classEntry(cls)
	per := s.g.pageSize / s.g.classSizes[cls]
	if got := m.u64(ce + cPages); got != c.pagesOf[cls] {
		c.fail("class %d: %d pages counted, %d owned", cls, got, c.pagesOf[cls])
	}
	total := m.u64(ce + cTotalChunks)
	if total != c.pagesOf[cls]*per {
		c.fail("class %d: %d total chunks, pages hold %d", cls, total, c.pagesOf[cls]*per)
	}
	// Free list. Its length is bounded by the chunks the class's pages really hold, not by
	// a count read from the region, so a damaged cycle ends the walk.
	owned := c.pagesOf[cls] * per
	var nfree, prev uint64
	for it := m.u64(ce + cFreeHead); it != 0; it = m.u64(it + iNext) {
		if nfree > owned || !s.validChunk(cls, it) || m.u8(it+iState) != stateFree || m.u64(it+iPrev) != prev {
			c.fail("class %d: bad free list entry %d after %d", cls, it, nfree)
			return
		}
		prev = it
		nfree++
	}
	if nfree != m.u64(ce+cFreeCount) {
		c.fail("class %d: free list has %d chunks, count says %d", cls, nfree, m.u64(ce+cFreeCount))
	}
	// LRU.
	var nitems, nbytes uint64
	prev = 0
	for it := m.u64(ce + cLRUHead); it != 0; it = m.u64(it + iNext) {
		if nitems > owned || !s.validChunk(cls, it) || m.u8(it+iState) != stateLinked || m.u64(it+iPrev) != prev {
			c.fail("class %d: bad LRU entry %d after %d items", cls, it, nitems)
			return
		}
		idx := c.chunkIndex(it)
		if c.inLRU.get(idx) {
			c.fail("class %d: item %d twice on the LRU", cls, it)
			return
		}
		c.inLRU.set(idx)
		size := s.itemSize(it)
		if want := s.classForKey(size, m.u32(it+iHash)); want != cls || m.u8(it+iClass) != cls {
			c.fail("class %d: item %d of %d bytes belongs in class %d (says %d)", cls, it, size, want, m.u8(it+iClass))
		}
		prev = it
		nitems++
		nbytes += size
	}
	if prev != m.u64(ce+cLRUTail) {
		c.fail("class %d: LRU tail %d, walk ended at %d", cls, m.u64(ce+cLRUTail), prev)
	}
	if nitems != m.u64(ce+cItems) || nbytes != m.u64(ce+cBytes) {
		c.fail("class %d: LRU has %d items of %d bytes, counts say %d and %d", cls, nitems, nbytes, m.u64(ce+cItems), m.u64(ce+cBytes))
	}
	c.itemCount += nitems
}

func (c *checker) checkHash() {
	m := c.s.m
	power := uint64(m.u32(hHashPower))
	var linked uint64
	linked += c.checkTable(m.u64(hPrimary), power, 0)
	if m.u32(hExpanding) != 0 {
		linked += c.checkTable(m.u64(hOld), uint64(m.u32(hOldPower)), m.u64(hCursor))
	}
	if linked != c.itemCount {
		c.fail("hash table holds %d items, LRUs %d", linked, c.itemCount)
	}
}

// checkTable walks a table's chains; buckets below from must be empty (already migrated).
func (c *checker) checkTable(table, power, from uint64) uint64 {
	s, m := c.s, c.s.m
	var n uint64
	mask := uint32(1)<<power - 1
	for b := uint64(0); b < 1<<power; b++ {
		it := m.u64(table + b*8)
		if b < from && it != 0 {
			c.fail("old hash bucket %d below the migration cursor %d is not empty", b, from)
		}
		for steps := 0; it != 0; it = m.u64(it + iHNext) {
			if steps++; steps > s.chainLimit || !s.validItem(it) || m.u8(it+iState) != stateLinked {
				c.fail("hash bucket %d: bad item %d", b, it)
				break
			}
			h := m.u32(it + iHash)
			if h&mask != uint32(b) || hashKey(s.itemKey(it)) != h {
				c.fail("item %q with hash %#x is in bucket %d of %d", s.itemKey(it), h, b, 1<<power)
			}
			idx := c.chunkIndex(it)
			if c.inHash.get(idx) {
				c.fail("item %d reachable twice from the hash table", it)
				break
			}
			c.inHash.set(idx)
			n++
		}
	}
	return n
}

// checkChunks checks every chunk's state against the lists that hold it.
func (c *checker) checkChunks(cls uint8) {
	s, m := c.s, c.s.m
	size := s.g.classSizes[cls]
	per := s.g.pageSize / size
	var leaked uint64
	for p := uint64(0); p < s.g.numPages; p++ {
		if s.pageClass(p) != uint32(cls) {
			continue
		}
		for i := uint64(0); i < per; i++ {
			it := s.pageStart(p) + i*size
			idx := c.chunkIndex(it)
			switch st := m.u8(it + iState); {
			case st == stateLinked && !(c.inLRU.get(idx) && c.inHash.get(idx)):
				c.fail("class %d: linked item %d (key %q) in LRU %v, in hash %v", cls, it, s.itemKey(it), c.inLRU.get(idx), c.inHash.get(idx))
			case st == stateAlloc && c.pending[it]:
			case st == stateAlloc:
				leaked++
			case st != stateLinked && st != stateFree:
				c.fail("class %d: chunk %d in unknown state %d", cls, it, st)
			case m.u8(it+iClass) != cls:
				c.fail("class %d: chunk %d says class %d", cls, it, m.u8(it+iClass))
			}
		}
	}
	if leaked > 0 {
		c.fail("class %d: %d chunk(s) allocated but never linked (leaked by a crashed client)", cls, leaked)
	}
}

// checkJournals verifies that no slot is inside a critical section (Check holds every
// lock) and that only allocations of dead clients, awaiting RecoverSlot, are recorded.
func (c *checker) checkJournals() {
	s, m := c.s, c.s.m
	c.pending = map[uint64]bool{}
	for slot := uint64(0); slot <= s.g.maxSlots; slot++ {
		j := s.journal(holder(Slot(slot)))
		if n := m.u32(j + jCount); n != 0 {
			c.fail("slot %d: %d undo entries outside any critical section", slot, n)
		}
		for _, f := range []uint64{jCarvePage, jMovePage, jMigrate, jGrowFirst} {
			if v := m.u64(j + f); v != 0 {
				c.fail("slot %d: journal word %d holds %d outside any critical section", slot, f, v)
			}
		}
		if it := m.u64(j + jAlloc); it != 0 {
			if !s.validItemHeader(it) || m.u8(it+iState) != stateAlloc {
				c.fail("slot %d: journal records allocated chunk %d, which is not allocated", slot, it)
			}
			c.pending[it] = true
		}
	}
}

type bitset []uint64

func newBitset(n uint64) bitset    { return make(bitset, (n+63)/64) }
func (b bitset) get(i uint64) bool { return b[i/64]&(1<<(i%64)) != 0 }
func (b bitset) set(i uint64)      { b[i/64] |= 1 << (i % 64) }
