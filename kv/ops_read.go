package kv

// Get copies the value stored under key into dst and returns its metadata. On a miss it
// returns ErrNotFound. If dst is shorter than the value it copies nothing and returns
// ErrBufferTooSmall with Meta.Len set, so the caller can retry with a larger buffer. The
// value is read without a lock and validated against the stripe's version (seqlock.go),
// or copied under the key's lock, so it is never torn; but a read that fails validation
// may have written dst with a torn copy before it retried, so dst's contents are defined
// only when Get returns nil.
func (s *Store) Get(slot Slot, key, dst []byte) (Meta, error) {
	return s.get(slot, key, dst, false, 0)
}

// GetAndTouch is Get that also sets the item's expiration, memcached's gat/gats.
func (s *Store) GetAndTouch(slot Slot, key []byte, exptime int64, dst []byte) (Meta, error) {
	return s.get(slot, key, dst, true, exptime)
}

func (s *Store) get(slot Slot, key, dst []byte, touch bool, exptime int64) (_ Meta, err error) {
	if err := s.checkCall(slot, key); err != nil {
		return Meta{}, err
	}
	hold, h, now := holder(slot), hashKey(key), s.now()
	if !touch && !raceEnabled {
		switch meta, res := s.getOptimistic(key, dst, h, now, false); res {
		case optHit:
			s.count(slot, stCmdGet)
			s.count(slot, stGetHits)
			return meta, nil
		case optMiss:
			s.count(slot, stCmdGet)
			return Meta{}, s.countMiss(slot, lookupMiss, false)
		case optTooSmall:
			return meta, ErrBufferTooSmall // nothing counted or changed: the caller retries
		}
	}
	defer s.recoverOp(hold, &err)
	stripe := s.stripeOf(h)
	s.lock(stripe, hold)
	it, _, res := s.find(key, h, now, hold)
	if res == lookupHit && len(dst) < int(s.m.u32(it+iNBytes)) {
		meta := s.meta(it)
		s.unlock(stripe)
		return meta, ErrBufferTooSmall // nothing counted or changed: the caller retries
	}
	if touch {
		s.count(slot, stCmdTouch)
	}
	s.count(slot, stCmdGet)
	if res != lookupHit {
		s.unlock(stripe)
		return Meta{}, s.countMiss(slot, res, touch)
	}
	meta := s.meta(it)
	copy(dst, s.itemValue(it))
	if !meta.Fetched {
		s.m.setU8(it+iBits, s.m.u8(it+iBits)|bitFetched)
	}
	if touch {
		exp := realtime(exptime, now)
		s.m.setU32(it+iExp, exp)
		if exp != 0 {
			s.markMayExpire(s.classOf(it))
		}
		meta.Exp = int64(exp)
		s.count(slot, stTouchHits)
	}
	s.bump(it, now, hold)
	s.unlock(stripe)
	s.count(slot, stGetHits)
	return meta, nil
}

// countMiss records a failed lookup and returns the error for it.
func (s *Store) countMiss(slot Slot, res lookup, touch bool) error {
	if res == lookupCorrupt {
		return ErrCorrupt
	}
	s.count(slot, stGetMisses)
	if touch {
		s.count(slot, stTouchMisses)
	}
	switch res {
	case lookupExpired:
		s.count(slot, stGetExpired)
	case lookupFlushed:
		s.count(slot, stGetFlushed)
	}
	return ErrNotFound
}

// Touch sets the expiration of the item stored under key (memcached's touch): ErrNotFound
// if there is none.
func (s *Store) Touch(slot Slot, key []byte, exptime int64) (err error) {
	if err := s.checkCall(slot, key); err != nil {
		return err
	}
	hold, h, now := holder(slot), hashKey(key), s.now()
	defer s.recoverOp(hold, &err)
	stripe := s.stripeOf(h)
	s.lock(stripe, hold)
	it, _, res := s.find(key, h, now, hold)
	s.count(slot, stCmdTouch)
	if res != lookupHit {
		s.unlock(stripe)
		if res == lookupCorrupt {
			return ErrCorrupt
		}
		s.count(slot, stTouchMisses)
		return ErrNotFound
	}
	exp := realtime(exptime, now)
	s.m.setU32(it+iExp, exp)
	if exp != 0 {
		s.markMayExpire(s.classOf(it))
	}
	s.bump(it, now, hold)
	s.unlock(stripe)
	s.count(slot, stTouchHits)
	return nil
}

// Delete removes the item stored under key: ErrNotFound if there is none.
func (s *Store) Delete(slot Slot, key []byte) (err error) {
	if err := s.checkCall(slot, key); err != nil {
		return err
	}
	hold, h, now := holder(slot), hashKey(key), s.now()
	defer s.recoverOp(hold, &err)
	stripe := s.stripeOf(h)
	s.lock(stripe, hold)
	it, link, res := s.find(key, h, now, hold)
	if res == lookupHit {
		s.unlinkItem(it, link, hold)
	}
	s.unlock(stripe)
	switch res {
	case lookupHit:
		s.count(slot, stDeleteHits)
		return nil
	case lookupCorrupt:
		return ErrCorrupt
	}
	s.count(slot, stDeleteMisses)
	return ErrNotFound
}

// FlushAll invalidates every item (memcached's flush_all). With delay <= 0 it acts now;
// otherwise at the time delay names (relative seconds up to 30 days, else a unix time),
// items stored before then become invalid. A later flush_all replaces a deadline that is
// still pending, as in memcached; but once a deadline has passed, what it flushed stays
// flushed (memcached, whose check is lazy, would bring such items back if a new delayed
// flush_all moved its deadline before they were reclaimed). Memory is reclaimed lazily.
func (s *Store) FlushAll(slot Slot, delay int64) error {
	if uint64(slot) >= s.g.maxSlots {
		return ErrBadSlot
	}
	s.count(slot, stCmdFlush)
	now := s.now()
	if fd := s.m.a64(hFlushDeadline).Load(); fd != 0 && uint64(now) >= fd && fd > s.m.a64(hFlushPassed).Load() {
		s.m.a64(hFlushPassed).Store(fd)
	}
	// memcached's cliff is its deadline minus one second: a deadline within the next
	// second (or past) flushes now, by CAS id.
	if delay <= 0 || int64(realtime(delay, now)) <= now+1 {
		s.m.a64(hFlushDeadline).Store(0)
		// memcached takes a CAS id for its flush cliff (settings.oldest_cas = get_cas_id()),
		// so the next item's id skips one: do the same, so ids match memcached's.
		s.m.a64(hFlushCAS).Store(s.m.a64(hCAS).Add(1))
		if delay > 0 {
			// A deadline of the next second or past: memcached's time cliff (items last
			// used up to a second before it) then takes this second's later items too.
			if cliff := uint64(realtime(delay, now)); cliff > s.m.a64(hFlushPassed).Load() {
				s.m.a64(hFlushPassed).Store(cliff)
			}
		}
		return nil
	}
	s.m.a64(hFlushDeadline).Store(uint64(realtime(delay, now)))
	return nil
}

// meta describes linked item it. The caller holds its stripe.
func (s *Store) meta(it uint64) Meta {
	return Meta{
		Flags: s.m.u32(it + iFlags), CAS: s.m.u64(it + iCAS), Len: int(s.m.u32(it + iNBytes)),
		Exp: int64(s.m.u32(it + iExp)), LastAccess: int64(s.m.u32(it + iTime)),
		Fetched: s.m.u8(it+iBits)&bitFetched != 0,
		Stale:   s.m.u8(it+iBits)&bitStale != 0, TokenSent: s.m.u8(it+iBits)&bitWon != 0,
	}
}
