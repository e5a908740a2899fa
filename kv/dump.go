package kv

// DumpEntry is one item as memcached's "stats cachedump" lists it.
type DumpEntry struct {
	Key []byte // a copy of the item's key (in the caller's keys buffer)
	Len int    // the value's length
	Exp int64  // the item's expiry, unix seconds (0: never)
}

// cacheDumpLimit bounds a dump's keys, as memcached bounds its reply to 2 MiB.
const cacheDumpLimit = 2 << 20

// CacheDump appends to out up to limit items (0: as many as fit memcached's 2 MiB reply)
// of slab class cls from the head of its LRU, most recently used first, as memcached's
// item_cachedump does (a class split into shards is dumped shard by shard, each from its
// head), stopping when out or keys (which the entries' keys are copied into) is full: it
// allocates nothing, so it can run with plib's rights raised. It holds one shard's lock
// at a time while it reads and stores nothing in the region, so a client killed inside it
// leaves only the lock, which the next client takes over.
func (s *Store) CacheDump(slot Slot, cls int, limit int, out []DumpEntry, keys []byte) ([]DumpEntry, error) {
	if uint64(slot) >= s.g.maxSlots {
		return out, ErrBadSlot
	}
	if cls < 1 || cls > s.numSizeClasses() {
		return out, nil
	}
	first, last := s.shardIDs(cls)
	bytes := 0
	for id := first; id <= last; id++ {
		var full bool
		if out, keys, bytes, full = s.dumpShard(holder(slot), uint8(id), limit, out, keys, bytes); full {
			break
		}
	}
	return out, nil
}

// dumpShard is CacheDump for one class id, bytes being the reply's size so far; full
// reports that the dump must stop.
func (s *Store) dumpShard(hold uint32, cls uint8, limit int, out []DumpEntry, keys []byte, bytes int) (_ []DumpEntry, _ []byte, _ int, full bool) {
	ce := s.classEntry(cls)
	s.lock(ce+cLock, hold)
	defer s.unlock(ce + cLock)
	it := s.m.u64(ce + cLRUHead)
	for n := uint64(0); it != 0 && n < s.g.numPages*s.g.pageSize; n++ {
		if (limit != 0 && len(out) >= limit) || len(out) >= cap(out) {
			return out, keys, bytes, true
		}
		if !s.validChunk(cls, it) || s.m.u8(it+iState) != stateLinked {
			break // a damaged list: leave it for Check
		}
		key := s.itemKey(it)
		if bytes += len(key) + 32; bytes > cacheDumpLimit || len(keys)+len(key) > cap(keys) {
			return out, keys, bytes, true
		}
		k := len(keys)
		keys = append(keys, key...)
		out = append(out, DumpEntry{Key: keys[k:len(keys):len(keys)], Len: int(s.m.u32(it + iNBytes)), Exp: int64(s.m.u32(it + iExp))})
		it = s.m.u64(it + iNext)
	}
	return out, keys, bytes, false
}
