package kv

// Reads that take no lock. Each stripe has a version word beside its lock word. A client
// holding the stripe makes it odd before its first store that a reader walking the
// stripe's hash chains could see (publishing an item, unlinking one before its chunk is
// freed for reuse, moving a bucket, installing a grown table, rewriting a value in place:
// arith.go, replace.go), and even again when it
// releases the stripe, after the commit: so an even version that has not changed across
// a read means nothing the read looked at was changed, freed or left uncommitted
// meanwhile. A reader (getOptimistic) loads the version, walks the chain, copies the value
// into the caller's buffer (plib's private scratch, so a torn copy never reaches the
// application), and loads the version again; if it is odd or moved, the copy is thrown
// away and the read retried, and after a few tries it takes the stripe's lock like a
// writer. It also takes the lock when the read must do more than set the item's fetched
// bit (markFetched): to bump it in its LRU, to unlink an expired item.
//
// Everything else a writer changes in a stripe is one aligned word a reader sees whole:
// an expiration (touch), an access time, a fetched bit. A writer stopped while it holds
// the stripe but outside its odd window (finding, allocating, filling its new item) does
// not delay readers; one stopped inside it (a few stores long) makes them wait, and give
// up with ErrBusy after Options.LockTimeout, like writers. A writer that dies with the
// version odd leaves it for repair: releasing the dead client's stripe after rolling back
// its journal makes it even.

// optimisticTries is how many times a lock-free read is tried before taking the lock.
const optimisticTries = 4

// beginWriting makes the version of stripe odd, if it is not already. The caller holds
// the stripe.
func (s *Store) beginWriting(stripe uint64) {
	off := stripe + sVersion
	if n := s.m.u64(off); n&1 == 0 {
		s.m.store64(off, n+1)
	}
}

// endWriting makes the version of stripe even again, if the holder made it odd. The
// caller holds the stripe and has committed its journal.
func (s *Store) endWriting(stripe uint64) {
	off := stripe + sVersion
	if n := s.m.u64(off); n&1 != 0 {
		s.m.store64(off, n+1)
	}
}

// optimistic outcomes.
type optimistic uint8

const (
	optLocked optimistic = iota // could not read without the lock: take it
	optHit
	optMiss
	optTooSmall
)

// getOptimistic tries to read key without its stripe's lock (see above). On optHit the
// value is in dst and meta describes it; on optMiss there is no such key; on optTooSmall
// meta.Len says what dst lacks. optLocked means the caller must read under the lock: a
// writer kept changing the stripe, or the read must write (a Get sets the fetched bit and
// bumps the item; readOnly skips both, for tests that look without touching), or the
// region looked damaged (which the locked read reports for sure).
func (s *Store) getOptimistic(key, dst []byte, h uint32, now int64, readOnly bool) (meta Meta, res optimistic) {
	defer func() {
		// A torn read can follow a link into garbage: that is a retry for the locked
		// path, not damage, unless the locked path finds it too.
		if r := recover(); r != nil {
			if panicError(r) == nil {
				panic(r)
			}
			res = optLocked
		}
	}()
	version := s.m.a64(s.stripeOf(h) + sVersion)
	for try := 0; try < optimisticTries; try++ {
		v := version.Load()
		if v&1 != 0 {
			continue
		}
		it, res := s.findReadOnly(key, h)
		switch {
		case res == lookupCorrupt:
			return Meta{}, optLocked
		case res == lookupMiss:
			if version.Load() == v {
				return Meta{}, optMiss
			}
			continue
		case s.dead(it, now) != lookupHit:
			return Meta{}, optLocked // expired or flushed: the locked read unlinks it
		}
		meta = s.meta(it)
		if !readOnly && now-meta.LastAccess >= lruUpdateInterval {
			return Meta{}, optLocked // the read must bump the item in its LRU
		}
		if s.readHook != nil {
			s.readHook()
		}
		if len(dst) < meta.Len {
			if version.Load() == v {
				return meta, optTooSmall
			}
			continue
		}
		copy(dst, s.itemValue(it))
		if version.Load() == v {
			if !readOnly && !meta.Fetched {
				s.markFetched(it)
			}
			return meta, optHit
		}
	}
	return Meta{}, optLocked
}

// findReadOnly walks key's chain without a lock and without unlinking anything:
// lookupHit, lookupMiss, or lookupCorrupt for a link that is no item (torn by a writer, or
// damage: the locked path tells which).
func (s *Store) findReadOnly(key []byte, h uint32) (uint64, lookup) {
	link := s.bucketFor(h)
	for n := 0; n < s.chainLimit; n++ {
		it := s.m.a64(link).Load()
		switch {
		case it == 0:
			return 0, lookupMiss
		case !s.validItem(it):
			return 0, lookupCorrupt
		case s.keyIs(it, key, h):
			return it, lookupHit
		}
		link = it + iHNext
	}
	return 0, lookupCorrupt
}

// markFetched sets a lock-free reader's item's fetched bit after the read was validated,
// with an atomic OR on the header word that holds the bits byte (its top byte), so that
// the lease bits a writer of the stripe may be changing beside it are never overwritten.
// The item may have been freed since (a writer can free it at any moment): then the bit
// lands on a free chunk, which the next fill clears, or, if the chunk was already reused,
// marks another item fetched early. memcached sets the bit without a lock too; it feeds
// statistics and the meta protocol's h flag, never which value a read returns.
func (s *Store) markFetched(it uint64) {
	s.m.a32(it + iBitsWord).Or(bitFetched << iBitsShift)
}
