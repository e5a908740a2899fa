package kv

// Eviction details per slab class, in the class entry's spare words (atomic; zero in a
// region formatted before they existed, as a fresh region's are): memcached's
// items:N:evicted_nonzero, evicted_unfetched and evicted_time.
const (
	cEvictedNonzero   = 104 // evicted items that had an expiry time
	cEvictedUnfetched = 112 // evicted items never fetched
	cEvictedTime      = 120 // seconds since its last access of the latest item evicted
)

// countEviction records the details of evicting live item it of class cls.
func (s *Store) countEviction(cls uint8, it uint64) {
	ce := s.classEntry(cls)
	if s.m.u32(it+iExp) != 0 {
		s.m.a64(ce + cEvictedNonzero).Add(1)
	}
	if s.m.u8(it+iBits)&bitFetched == 0 {
		s.m.a64(ce + cEvictedUnfetched).Add(1)
	}
	s.m.a64(ce + cEvictedTime).Store(uint64(max(s.now()-int64(s.m.u32(it+iTime)), 0)))
}

// addEvictionStats adds class entry ce's eviction details to ss (a size class's figures
// sum its shards'; the time is the latest eviction's in any shard, taken as the largest).
func (s *Store) addEvictionStats(ss *SlabStats, ce uint64) {
	ss.EvictedNonzero += s.m.a64(ce + cEvictedNonzero).Load()
	ss.EvictedUnfetched += s.m.a64(ce + cEvictedUnfetched).Load()
	ss.EvictedTime = max(ss.EvictedTime, s.m.a64(ce+cEvictedTime).Load())
}
