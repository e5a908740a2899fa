package plib

import "github.com/plibcached/plibcached/kv"

// Meta describes an item read by GetInto: its flags, CAS id and value length.
type Meta = kv.Meta

// StoreMode selects a storage command for Session.Store: ModeSet, ModeAdd, ModeReplace,
// ModeAppend, ModePrepend or ModeCAS.
type StoreMode = kv.Mode

// Session is one client slot held by one goroutine at a time: the allocation-free path.
// Its calls copy inputs into the slot's private scratch inside the segment, run the store
// on the copies, and copy outputs out only after every store lock is released, so another
// goroutine rewriting the caller's buffers mid-call cannot confuse the library. Buffers
// that overlap the segment are refused with ErrOverlap.
type Session struct {
	c    *Client
	slot kv.Slot
	key  []byte // scratch for the key, in the segment
	val  []byte // scratch for a value, in the segment
	// pooled marks a session of the Client's pool (guarded by the Client's mu).
	pooled bool
	// anyKey lifts the key rule to memcached's (AcceptAnyKey).
	anyKey bool
}

// Slot is the session's client slot in the segment.
func (s *Session) Slot() int { return int(s.slot) }

// Close returns the session's slot to the segment.
func (s *Session) Close() error {
	c := s.c
	c.mu.Lock()
	for i, o := range c.owned {
		if o == s {
			c.owned = append(c.owned[:i], c.owned[i+1:]...)
			break
		}
	}
	c.mu.Unlock()
	if c.closed.Load() {
		return ErrClosed
	}
	c.releaseSessions([]*Session{s})
	return nil
}

// checkKey refuses what cannot be copied into the key scratch; the store validates the
// copy's bytes.
func (s *Session) checkKey(key []byte) error {
	if err := s.checkKeyPlace(key); err != nil {
		return err
	}
	return s.keyRule(key)
}

// checkKeyPlace is checkKey without the key's bytes (keyRule), which a call judges after
// its other arguments, where the store used to.
func (s *Session) checkKeyPlace(key []byte) error {
	if len(key) == 0 || len(key) > kv.MaxKeyLen {
		return ErrMalformedKey
	}
	if s.c.overlaps(key) {
		return ErrOverlap
	}
	return nil
}

// GetInto copies the value stored under key into dst and returns its Meta. ErrCacheMiss
// on a miss; ErrBufferTooSmall (with Meta.Len set, nothing copied) if dst is too short.
func (s *Session) GetInto(key, dst []byte) (Meta, error) {
	return s.getInto(key, dst, false, 0)
}

// GetAndTouchInto is GetInto that also sets the item's expiration (memcached's gat).
func (s *Session) GetAndTouchInto(key []byte, exptime int32, dst []byte) (Meta, error) {
	return s.getInto(key, dst, true, exptime)
}

func (s *Session) getInto(key, dst []byte, touch bool, exptime int32) (Meta, error) {
	if err := s.checkKeyPlace(key); err != nil {
		return Meta{}, err
	}
	if s.c.overlaps(dst) {
		return Meta{}, ErrOverlap
	}
	if err := s.keyRule(key); err != nil {
		return Meta{}, err
	}
	s.c.enter()
	defer s.c.exit()
	// The store gets no more room than dst has, so a value that does not fit is refused
	// by the store itself: no touch, no fetched mark, no LRU bump, as kv documents.
	m, err := s.fetch(key, touch, exptime, min(len(dst), len(s.val)))
	if err == nil {
		copy(dst, s.val[:m.Len])
	}
	return m, mapErr(err)
}

// fetch copies key into scratch and reads its value into the first room bytes of the value
// scratch (touching the item first if asked). The caller is inside a call.
func (s *Session) fetch(key []byte, touch bool, exptime int32, room int) (Meta, error) {
	k := s.key[:copy(s.key, key)]
	if touch {
		return s.c.store.GetAndTouch(s.slot, k, int64(exptime), s.val[:room])
	}
	return s.c.store.Get(s.slot, k, s.val[:room])
}

// Set stores value under key unconditionally.
func (s *Session) Set(key, value []byte, flags uint32, exptime int32) error {
	_, err := s.Store(kv.ModeSet, key, value, flags, exptime, 0)
	return err
}

// Store runs one storage command (set, add, replace, append, prepend or cas) and returns
// the stored item's CAS id. cas is used by kv.ModeCAS only.
func (s *Session) Store(mode StoreMode, key, value []byte, flags uint32, exptime int32, cas uint64) (uint64, error) {
	if err := s.checkKeyPlace(key); err != nil {
		return 0, err
	}
	if s.c.overlaps(value) {
		return 0, ErrOverlap
	}
	c := s.c
	c.enter()
	defer c.exit()
	k := s.key[:copy(s.key, key)]
	if len(value) > len(s.val) {
		if mode == kv.ModeSet && s.keyRule(key) == nil {
			c.store.Unlink(s.slot, k) // memcached: a too-large set removes the old value
		}
		return 0, ErrValueTooLarge
	}
	if err := s.keyRule(key); err != nil {
		return 0, err
	}
	v := s.val[:copy(s.val, value)]
	newCAS, err := c.store.Store(s.slot, mode, k, v, flags, int64(exptime), cas)
	return newCAS, mapErr(err)
}

// Delete removes the item stored under key; ErrCacheMiss if there is none.
func (s *Session) Delete(key []byte) error {
	if err := s.checkKey(key); err != nil {
		return err
	}
	c := s.c
	c.enter()
	defer c.exit()
	return mapErr(c.store.Delete(s.slot, s.key[:copy(s.key, key)]))
}

// Incr adds delta to the decimal number under key, wrapping at 2^64, and returns the result.
func (s *Session) Incr(key []byte, delta uint64) (uint64, error) { return s.arith(key, delta, true) }

// Decr subtracts delta from the decimal number under key, stopping at 0, and returns the result.
func (s *Session) Decr(key []byte, delta uint64) (uint64, error) { return s.arith(key, delta, false) }

func (s *Session) arith(key []byte, delta uint64, incr bool) (uint64, error) {
	if err := s.checkKey(key); err != nil {
		return 0, err
	}
	c := s.c
	c.enter()
	defer c.exit()
	k := s.key[:copy(s.key, key)]
	var v uint64
	var err error
	if incr {
		v, err = c.store.Incr(s.slot, k, delta)
	} else {
		v, err = c.store.Decr(s.slot, k, delta)
	}
	return v, mapErr(err)
}

// Touch sets the expiration of the item under key; ErrCacheMiss if there is none.
func (s *Session) Touch(key []byte, exptime int32) error {
	if err := s.checkKey(key); err != nil {
		return err
	}
	c := s.c
	c.enter()
	defer c.exit()
	return mapErr(c.store.Touch(s.slot, s.key[:copy(s.key, key)], int64(exptime)))
}

// FlushAll invalidates every item now (delay <= 0) or at the time delay names.
func (s *Session) FlushAll(delay int32) error {
	c := s.c
	c.enter()
	defer c.exit()
	return mapErr(c.store.FlushAll(s.slot, int64(delay)))
}
