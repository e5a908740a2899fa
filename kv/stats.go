package kv

import "time"

// Stats is a snapshot of the store's statistics, named after memcached's `stats` and
// `stats slabs` fields. Counters are summed over client slots without a global lock, so a
// snapshot taken under load is approximate, as memcached's is.
type Stats struct {
	CurrItems  uint64 // items linked now (flushed or expired ones count until met)
	TotalItems uint64 // items ever stored
	Bytes      uint64 // bytes used by linked items (header, key and value)
	LimitBytes uint64 // the region's size
	PageSize   uint64 // a slab page's size: TotalPages*PageSize is the memory for items

	CmdGet, CmdSet, CmdTouch, CmdFlush         uint64
	GetHits, GetMisses, GetExpired, GetFlushed uint64
	DeleteHits, DeleteMisses                   uint64
	IncrHits, IncrMisses, DecrHits, DecrMisses uint64
	CasHits, CasMisses, CasBadval              uint64
	TouchHits, TouchMisses                     uint64
	Evictions, Reclaimed, OutOfMemory          uint64
	TotalPages, FreePages, UnusedPages         uint64

	// Repairs counts lock repairs after dead clients; RepairWaitMax is the longest a
	// client waited on a dead client's lock (from its first spin to the repair's end),
	// RepairTimeMax the longest repair.
	Repairs                      uint64
	RepairWaitMax, RepairTimeMax time.Duration

	// Contention counts the slow paths of the store's locks, per kind of lock.
	Contention Contention

	HashPower     uint32 // log2 of the hash table's bucket count
	ClassShards   int    // shards each slab class is split into (shards.go)
	HashExpanding bool   // a larger table is being filled
	HashBytes     uint64 // bytes of the current hash table(s)

	// Slabs has one entry per slab class that owns pages.
	Slabs []SlabStats
}

// SlabStats is one slab class's figures, as memcached's `stats slabs` and `stats items`.
type SlabStats struct {
	Class         int
	ChunkSize     uint64
	ChunksPerPage uint64
	TotalPages    uint64
	TotalChunks   uint64
	UsedChunks    uint64
	FreeChunks    uint64
	Items         uint64
	Bytes         uint64
	Evictions     uint64
	Reclaimed     uint64
	OutOfMemory   uint64
	// EvictedNonzero and EvictedUnfetched count evicted items that had an expiry time and
	// that were never fetched; EvictedTime is the latest one's seconds since last access (the
	// largest of the class shards' latest).
	EvictedNonzero, EvictedUnfetched, EvictedTime uint64
}

// Stats returns a snapshot of the store's statistics.
func (s *Store) Stats() Stats {
	m := s.m
	st := Stats{
		LimitBytes: s.g.regionSize,
		PageSize:   s.g.pageSize,
		CmdGet:     s.sumStat(stCmdGet), CmdSet: s.sumStat(stCmdSet),
		CmdTouch: s.sumStat(stCmdTouch), CmdFlush: s.sumStat(stCmdFlush),
		TotalItems: s.sumStat(stTotalItems),
		GetHits:    s.sumStat(stGetHits), GetMisses: s.sumStat(stGetMisses),
		GetExpired: s.sumStat(stGetExpired), GetFlushed: s.sumStat(stGetFlushed),
		DeleteHits: s.sumStat(stDeleteHits), DeleteMisses: s.sumStat(stDeleteMisses),
		IncrHits: s.sumStat(stIncrHits), IncrMisses: s.sumStat(stIncrMisses),
		DecrHits: s.sumStat(stDecrHits), DecrMisses: s.sumStat(stDecrMisses),
		CasHits: s.sumStat(stCasHits), CasMisses: s.sumStat(stCasMisses), CasBadval: s.sumStat(stCasBadval),
		TouchHits: s.sumStat(stTouchHits), TouchMisses: s.sumStat(stTouchMisses),
		TotalPages:    s.g.numPages,
		FreePages:     m.a64(hFreePageCount).Load(),
		UnusedPages:   s.g.numPages - min(m.a64(hBumpNext).Load(), s.g.numPages),
		HashPower:     m.a32(hHashPower).Load(),
		ClassShards:   int(s.g.shards),
		HashExpanding: m.a32(hExpanding).Load() != 0,
		Repairs:       m.a64(hRepairs).Load(),
		RepairWaitMax: time.Duration(m.a64(hRepairWaitMax).Load()),
		RepairTimeMax: time.Duration(m.a64(hRepairTimeMax).Load()),
	}
	st.HashBytes = 8 << st.HashPower
	if st.HashExpanding {
		st.HashBytes += 4 << st.HashPower
	}
	for kind := range numLockKinds {
		w := &st.Contention[kind]
		base := stLockWaits + kind*numWaitStats
		w.Kind = lockKindNames[kind]
		w.Contended, w.Spins = s.sumStat(base+waitContended), s.sumStat(base+waitSpins)
		w.Yields, w.Sleeps = s.sumStat(base+waitYields), s.sumStat(base+waitSleeps)
	}
	for c := 1; c <= s.numSizeClasses(); c++ {
		ss := s.sizeClassStats(c)
		st.CurrItems += ss.Items
		st.Bytes += ss.Bytes
		st.Evictions += ss.Evictions
		st.Reclaimed += ss.Reclaimed
		st.OutOfMemory += ss.OutOfMemory
		if ss.TotalPages > 0 || ss.Items > 0 {
			st.Slabs = append(st.Slabs, ss)
		}
	}
	return st
}

// LockWaits is one kind of lock's slow path: how often a client found the lock taken
// (Contended), and how it then waited: rounds spent looking at the word (Spins), yields of
// its thread (Yields), futex sleeps (Sleeps).
type LockWaits struct {
	Kind                             string
	Contended, Spins, Yields, Sleeps uint64
}

// Contention holds LockWaits for each kind of lock: stripe, class, pages, expand.
type Contention [numLockKinds]LockWaits

// Contended is the number of contended acquisitions of every kind.
func (c Contention) Contended() uint64 {
	var n uint64
	for _, w := range c {
		n += w.Contended
	}
	return n
}

// sizeClassStats returns size class c's figures, summed over its shards (shards.go).
func (s *Store) sizeClassStats(c int) SlabStats {
	m := s.m
	first, last := s.shardIDs(c)
	size := s.g.classSizes[first]
	ss := SlabStats{Class: c, ChunkSize: size, ChunksPerPage: s.g.pageSize / size}
	for cls := first; cls <= last; cls++ {
		ce := s.classEntry(uint8(cls))
		ss.TotalPages += m.a64(ce + cPages).Load()
		ss.TotalChunks += m.a64(ce + cTotalChunks).Load()
		ss.FreeChunks += m.a64(ce + cFreeCount).Load()
		ss.Items += m.a64(ce + cItems).Load()
		ss.Bytes += m.a64(ce + cBytes).Load()
		ss.Evictions += m.a64(ce + cEvictions).Load()
		ss.Reclaimed += m.a64(ce + cReclaimed).Load()
		ss.OutOfMemory += m.a64(ce + cOutOfMemory).Load()
		s.addEvictionStats(&ss, ce)
	}
	ss.UsedChunks = ss.TotalChunks - min(ss.FreeChunks, ss.TotalChunks)
	return ss
}
