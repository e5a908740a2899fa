package kv

// The meta protocol's anti-stampede marks, in an item's bits byte beside bitFetched. They
// live in the item, in the region, and change only under the item's stripe lock with
// journaled stores, so a client killed mid-call leaves them as they were before the call
// (the journal undoes it) or as the call left them, never half set.
const (
	bitWon   = 2 // memcached's ITEM_TOKEN_SENT: a client was handed the win token (mg W)
	bitStale = 4 // memcached's ITEM_STALE: invalidated (md I) or stored stale (ms I)
)

// LeaseReq is what an mg asks of an item's lease: N and R.
type LeaseReq struct {
	// Vivify (N): on a miss, create an empty item expiring per VivifyExptime (an exptime as
	// Store takes it) and hand this caller the win token.
	Vivify        bool
	VivifyExptime int64
	// Recache (R): win the token if none was handed out and the item expires before
	// RecacheExptime (an exptime as Store takes it) says.
	Recache        bool
	RecacheExptime int64
}

// Lease is an item's lease state after MetaLease.
type Lease struct {
	Meta         // the item's metadata after the call (Stale, TokenSent as they were)
	Created bool // the item was vivified by this call
	Won     bool // this caller was handed the win token (W)
}

// MetaLease decides, atomically under the item's lock, whether the caller wins the token
// to refresh key's item, as memcached's mg does: a miss with Vivify creates the item and
// wins; an item that is stale, or that expires before the Recache threshold, wins if no
// token was handed out yet (TokenSent, Z); a win marks the item. It fetches no value and
// counts nothing (the caller's get is counted by its own fetch). ErrNotFound on a miss
// without Vivify.
func (s *Store) MetaLease(slot Slot, key []byte, req LeaseReq) (Lease, error) {
	if err := s.checkCall(slot, key); err != nil {
		return Lease{}, err
	}
	hold, h, now := holder(slot), hashKey(key), s.now()
	stripe := s.stripeOf(h)
	s.lock(stripe, hold)
	defer s.unlock(stripe)
	it, _, res := s.find(key, h, now, hold)
	var l Lease
	switch {
	case res == lookupCorrupt:
		return l, ErrCorrupt
	case res != lookupHit && !req.Vivify:
		return l, ErrNotFound
	case res != lookupHit:
		if _, _, err := s.storeLocked(slot, ModeAdd, key, nil, 0, req.VivifyExptime, 0, h, now, hold); err != nil {
			return l, err
		}
		if it, _, res = s.find(key, h, now, hold); res != lookupHit {
			return l, ErrCorrupt
		}
		l.Created, l.Won = true, true
	default:
		bits, exp := s.m.u8(it+iBits), s.m.u32(it+iExp)
		sent := bits&bitWon != 0
		recache := req.Recache && exp != 0 && exp < realtime(req.RecacheExptime, now)
		l.Won = !sent && (recache || bits&bitStale != 0)
	}
	l.Meta = s.meta(it)
	if l.Won {
		s.w8(hold, it+iBits, s.m.u8(it+iBits)|bitWon)
	}
	return l, nil
}

// Invalidate is md with I: rather than delete key's item, mark it stale and hand the win
// token out again (the next mg wins), give it a new CAS id and, if exptime is set, a new
// expiry. cas, if not 0, must be the item's. It counts a delete hit or miss.
func (s *Store) Invalidate(slot Slot, key []byte, cas uint64, exptime *int64) error {
	if err := s.checkCall(slot, key); err != nil {
		return err
	}
	hold, h, now := holder(slot), hashKey(key), s.now()
	stripe := s.stripeOf(h)
	s.lock(stripe, hold)
	defer s.unlock(stripe)
	it, _, res := s.find(key, h, now, hold)
	switch {
	case res == lookupCorrupt:
		return ErrCorrupt
	case res != lookupHit:
		s.count(slot, stDeleteMisses)
		return ErrNotFound
	case cas != 0 && s.m.u64(it+iCAS) != cas:
		return ErrExists
	}
	s.w8(hold, it+iBits, s.m.u8(it+iBits)&^bitWon|bitStale)
	s.w64(hold, it+iCAS, s.m.a64(hCAS).Add(1))
	if exptime != nil {
		s.w32(hold, it+iExp, realtime(*exptime, now))
	}
	s.count(slot, stDeleteHits)
	return nil
}

// StoreStale is ms with I and C: with cas the item's CAS id it is a compare-and-swap;
// with an older one it stores value all the same, marked stale, keeping the old item's
// expiry and win token (memcached's set_stale); a newer one is ErrExists.
func (s *Store) StoreStale(slot Slot, key, value []byte, flags uint32, exptime int64, cas uint64) (uint64, error) {
	if err := s.checkCall(slot, key); err != nil {
		return 0, err
	}
	if cas == 0 {
		return 0, ErrInvalidCAS
	}
	s.count(slot, stCmdSet)
	hold, h, now := holder(slot), hashKey(key), s.now()
	stripe := s.stripeOf(h)
	s.lock(stripe, hold)
	defer s.unlock(stripe)
	old, _, res := s.find(key, h, now, hold)
	if res == lookupCorrupt {
		return 0, ErrCorrupt
	}
	if res != lookupHit || s.m.u64(old+iCAS) <= cas {
		newCAS, _, err := s.storeLocked(slot, ModeCAS, key, value, flags, exptime, cas, h, now, hold)
		return newCAS, err
	}
	oldBits, oldExp := s.m.u8(old+iBits), int64(s.m.u32(old+iExp))
	newCAS, _, err := s.storeLocked(slot, ModeSet, key, value, flags, oldExp, 0, h, now, hold)
	if err != nil {
		return 0, err
	}
	it, _, res := s.find(key, h, now, hold)
	if res != lookupHit {
		return 0, ErrCorrupt
	}
	s.w32(hold, it+iExp, uint32(oldExp))
	s.w8(hold, it+iBits, s.m.u8(it+iBits)|bitStale|oldBits&bitWon)
	s.count(slot, stCasHits)
	return newCAS, nil
}

// Peek is memcached's "me": key's item metadata, its slab class and its size in bytes,
// without fetching, bumping or counting.
func (s *Store) Peek(slot Slot, key []byte) (m Meta, class int, err error) {
	if err := s.checkCall(slot, key); err != nil {
		return m, 0, err
	}
	hold, h, now := holder(slot), hashKey(key), s.now()
	stripe := s.stripeOf(h)
	s.lock(stripe, hold)
	defer s.unlock(stripe)
	it, _, res := s.find(key, h, now, hold)
	switch res {
	case lookupHit:
		return s.meta(it), s.sizeClassOf(s.m.u8(it + iClass)), nil
	case lookupCorrupt:
		return m, 0, ErrCorrupt
	}
	return m, 0, ErrNotFound
}

// GetNoUpdate is Get without its side effects on the item (mg's u flag): the value is
// copied and the get counted, but the item is neither marked fetched nor bumped.
func (s *Store) GetNoUpdate(slot Slot, key, dst []byte) (Meta, error) {
	if err := s.checkCall(slot, key); err != nil {
		return Meta{}, err
	}
	hold, h, now := holder(slot), hashKey(key), s.now()
	stripe := s.stripeOf(h)
	s.lock(stripe, hold)
	defer s.unlock(stripe)
	it, _, res := s.find(key, h, now, hold)
	if res == lookupHit && len(dst) < int(s.m.u32(it+iNBytes)) {
		return s.meta(it), ErrBufferTooSmall // nothing counted: the caller retries
	}
	s.count(slot, stCmdGet)
	if res != lookupHit {
		return Meta{}, s.countMiss(slot, res, false)
	}
	meta := s.meta(it)
	copy(dst, s.itemValue(it))
	s.count(slot, stGetHits)
	return meta, nil
}
