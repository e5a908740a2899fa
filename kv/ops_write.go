package kv

import "fmt"

// Mode selects a storage command's semantics.
type Mode uint8

// The storage commands of memcached's protocol.
const (
	// ModeSet stores unconditionally.
	ModeSet Mode = iota
	// ModeAdd stores only if the key is absent (else ErrNotStored).
	ModeAdd
	// ModeReplace stores only if the key is present (else ErrNotStored).
	ModeReplace
	// ModeAppend adds the data after the existing value, keeping its flags and expiration.
	ModeAppend
	// ModePrepend adds the data before the existing value, keeping its flags and expiration.
	ModePrepend
	// ModeCAS stores only if the item's CAS id is unchanged (ErrExists if it changed,
	// ErrNotFound if the key is absent).
	ModeCAS
)

var modeNames = [...]string{"set", "add", "replace", "append", "prepend", "cas"}

func (m Mode) String() string {
	if int(m) < len(modeNames) {
		return modeNames[m]
	}
	return fmt.Sprintf("Mode(%d)", m)
}

// Set stores value under key (memcached's set) and returns the new CAS id.
func (s *Store) Set(slot Slot, key, value []byte, flags uint32, exptime int64) (uint64, error) {
	return s.Store(slot, ModeSet, key, value, flags, exptime, 0)
}

// Store runs one storage command. flags and exptime are ignored by append and prepend,
// which keep the old item's; cas is used only by ModeCAS and must not be 0. It returns the
// stored item's CAS id. On any error the store is unchanged, except that a set whose item
// is too large removes the key's old value, as memcached does.
func (s *Store) Store(slot Slot, mode Mode, key, value []byte, flags uint32, exptime int64, cas uint64) (_ uint64, err error) {
	if err := s.checkCall(slot, key); err != nil {
		return 0, err
	}
	if mode > ModeCAS {
		return 0, ErrBadMode
	}
	if mode == ModeCAS && cas == 0 {
		return 0, ErrInvalidCAS
	}
	s.count(slot, stCmdSet)
	hold, h, now := holder(slot), hashKey(key), s.now()
	newCAS, added, err := s.storeGuarded(slot, mode, key, value, flags, exptime, cas, h, now, hold)
	if added {
		s.maybeGrow(h, hold)
	}
	return newCAS, err
}

// storeGuarded runs a storage command under its stripe; a damaged region or a lock held
// too long ends it with the store unchanged (recoverOp).
func (s *Store) storeGuarded(slot Slot, mode Mode, key, value []byte, flags uint32, exptime int64, cas uint64,
	h uint32, now int64, hold uint32) (newCAS uint64, added bool, err error) {
	defer s.recoverOp(hold, &err)
	stripe := s.stripeOf(h)
	s.lock(stripe, hold)
	newCAS, added, err = s.storeLocked(slot, mode, key, value, flags, exptime, cas, h, now, hold)
	s.unlock(stripe)
	return newCAS, added, err
}

func (s *Store) storeLocked(slot Slot, mode Mode, key, value []byte, flags uint32, exptime int64, cas uint64,
	h uint32, now int64, hold uint32) (newCAS uint64, added bool, err error) {
	old, link, res := s.find(key, h, now, hold)
	if res == lookupCorrupt {
		return 0, false, ErrCorrupt
	}
	if err := s.storeAllowed(slot, mode, old, cas); err != nil {
		return 0, false, err
	}
	nbytes := len(value)
	exp := realtime(exptime, now)
	if (mode == ModeAppend || mode == ModePrepend) && old != 0 {
		nbytes += int(s.m.u32(old + iNBytes))
		flags, exp = s.m.u32(old+iFlags), s.m.u32(old+iExp)
	}
	if old != 0 && nbytes == len(value) && nbytes == int(s.m.u32(old+iNBytes)) && nbytes <= maxReplaceInPlace &&
		mode != ModeAppend && mode != ModePrepend {
		newCAS = s.replaceInPlace(old, key, value, flags, exp, h, now, hold)
		s.count(slot, stTotalItems)
		if mode == ModeCAS {
			s.count(slot, stCasHits)
		}
		return newCAS, false, nil
	}
	total := itemTotal(len(key), nbytes)
	if total > s.g.maxItem {
		if mode == ModeSet && old != 0 {
			s.unlinkItem(old, link, hold)
		}
		return 0, false, ErrValueTooLarge
	}
	cls := s.classForKey(total, h)
	// A small item that replaces one of its own class (or none) is taken from the free list
	// and linked in one section of the class lock: one acquisition instead of two.
	held := total <= holdThroughFill && (old == 0 || s.classOf(old) == cls)
	it, touched, err := s.alloc(cls, s.stripeOf(h), hold, held)
	if err != nil {
		return 0, false, err
	}
	if touched && held {
		s.unlock(s.classLock(cls)) // eviction moved things: look again, then lock as usual
		held = false
	}
	if touched {
		// Eviction may have removed old, or its chain neighbours: look again.
		if old, link, res = s.find(key, h, now, hold); res == lookupCorrupt {
			s.freeAlloc(it, hold)
			return 0, false, ErrCorrupt
		}
		if err := s.storeAllowed(slot, mode, old, cas); err != nil {
			s.freeAlloc(it, hold)
			return 0, false, err
		}
		if (mode == ModeAppend || mode == ModePrepend) && nbytes != len(value)+int(s.m.u32(old+iNBytes)) {
			s.freeAlloc(it, hold) // cannot happen: old was protected by our stripe
			return 0, false, ErrCorrupt
		}
	}
	newCAS = s.fillItem(it, key, h, flags, exp, now, nbytes)
	dst := s.itemValue(it)
	switch {
	case mode == ModeAppend:
		copy(dst[copy(dst, s.itemValue(old)):], value)
	case mode == ModePrepend:
		copy(dst[copy(dst, value):], s.itemValue(old))
	default:
		copy(dst, value)
	}
	s.link(it, old, link, h, hold, held)
	s.count(slot, stTotalItems)
	if mode == ModeCAS {
		s.count(slot, stCasHits)
	}
	return newCAS, old == 0, nil
}

// storeAllowed applies a mode's precondition on the existing item old (0 if none).
func (s *Store) storeAllowed(slot Slot, mode Mode, old, cas uint64) error {
	switch mode {
	case ModeAdd:
		if old != 0 {
			return ErrNotStored
		}
	case ModeReplace, ModeAppend, ModePrepend:
		if old == 0 {
			return ErrNotStored
		}
	case ModeCAS:
		if old == 0 {
			s.count(slot, stCasMisses)
			return ErrNotFound
		}
		if s.m.u64(old+iCAS) != cas {
			s.count(slot, stCasBadval)
			return ErrExists
		}
	}
	return nil
}

// fillItem writes an allocated chunk's header and key and returns its new CAS id. The
// value bytes are the caller's to write.
func (s *Store) fillItem(it uint64, key []byte, h, flags, exp uint32, now int64, nbytes int) uint64 {
	m := s.m
	cas := m.a64(hCAS).Add(1)
	m.setU64(it+iHNext, 0)
	m.setU64(it+iCAS, cas)
	m.setU32(it+iExp, exp)
	m.setU32(it+iTime, uint32(now))
	m.setU32(it+iFlags, flags)
	m.setU32(it+iNBytes, uint32(nbytes))
	m.setU32(it+iHash, h)
	m.setU8(it+iNKey, uint8(len(key)))
	m.setU8(it+iBits, 0)
	copy(m.bytes(it+itemHeaderSize, uint64(len(key))), key)
	return cas
}

// holdThroughFill is the largest item storeLocked fills while it holds the class lock it
// took the chunk under: copying more would keep the shard's other writers waiting longer
// than a second acquisition costs.
const holdThroughFill = 4096

// link makes a filled chunk visible, replacing old (0 if none; link is the word pointing at
// it). Everything happens in one section of the class locks involved (taken in class
// order), so a crash leaves either the old state or the new: the item joins its LRU, its
// journal record as an allocation is cleared, one 8-byte store puts it in the hash chain
// (unlinking old), and old leaves its LRU for the free list. The caller holds the stripe,
// and with held the class lock too (old, if any, is of the same class): then the chunk's
// allocation and its linking are one section.
func (s *Store) link(it, old, link uint64, h uint32, hold uint32, held bool) {
	cls := s.classOf(it)
	ocls := cls
	if old != 0 {
		ocls = s.classOf(old)
	}
	if !held {
		s.lock(s.classLock(min(cls, ocls)), hold)
	}
	if ocls != cls {
		s.lock(s.classLock(max(cls, ocls)), hold)
	}
	s.lruLink(hold, cls, it)
	if s.m.u32(it+iExp) != 0 {
		s.markMayExpire(cls)
	}
	s.w64(hold, s.journal(hold)+jAlloc, 0)
	s.beginWriting(s.stripeOf(h))
	if old != 0 {
		s.w64(hold, it+iHNext, s.m.u64(old+iHNext))
		s.w64(hold, link, it)
		s.lruUnlink(hold, ocls, old)
		s.freeChunk(hold, ocls, old)
	} else {
		bucket := s.bucketFor(h)
		s.w64(hold, it+iHNext, s.m.u64(bucket))
		s.w64(hold, bucket, it)
	}
	if ocls != cls {
		s.unlock(s.classLock(max(cls, ocls)))
	}
	s.unlock(s.classLock(min(cls, ocls)))
}

// freeAlloc returns a chunk that was allocated but never linked.
func (s *Store) freeAlloc(it uint64, hold uint32) {
	cls := s.classOf(it)
	s.lock(s.classLock(cls), hold)
	s.freeChunk(hold, cls, it)
	s.w64(hold, s.journal(hold)+jAlloc, 0)
	s.unlock(s.classLock(cls))
}
