package kv

import "strconv"

// maxDecimalLen is the length of 2^64-1 in decimal.
const maxDecimalLen = 20

// Incr adds delta to the decimal number stored under key and returns the result; the sum
// wraps at 2^64, as in memcached. ErrNotFound if the key is absent, ErrNonNumeric if the
// value is not an unsigned 64-bit decimal number.
func (s *Store) Incr(slot Slot, key []byte, delta uint64) (uint64, error) {
	return s.arith(slot, key, delta, true)
}

// Decr subtracts delta from the decimal number stored under key, stopping at 0, and returns
// the result. Errors as for Incr.
func (s *Store) Decr(slot Slot, key []byte, delta uint64) (uint64, error) {
	return s.arith(slot, key, delta, false)
}

func (s *Store) arith(slot Slot, key []byte, delta uint64, incr bool) (_ uint64, err error) {
	if err := s.checkCall(slot, key); err != nil {
		return 0, err
	}
	hits, misses := stIncrHits, stIncrMisses
	if !incr {
		hits, misses = stDecrHits, stDecrMisses
	}
	hold, h, now := holder(slot), hashKey(key), s.now()
	defer s.recoverOp(hold, &err)
	stripe := s.stripeOf(h)
	s.lock(stripe, hold)
	v, err := s.arithLocked(key, delta, incr, h, now, hold)
	s.unlock(stripe)
	switch err {
	case nil:
		s.count(slot, hits)
	case ErrNotFound:
		s.count(slot, misses)
	}
	return v, err
}

func (s *Store) arithLocked(key []byte, delta uint64, incr bool, h uint32, now int64, hold uint32) (uint64, error) {
	it, link, res := s.find(key, h, now, hold)
	switch res {
	case lookupHit:
	case lookupCorrupt:
		return 0, ErrCorrupt
	default:
		return 0, ErrNotFound
	}
	v, ok := parseDecimal(s.itemValue(it))
	if !ok {
		return 0, ErrNonNumeric
	}
	switch {
	case incr:
		v += delta // wraps at 2^64, as memcached's does
	case delta > v:
		v = 0
	default:
		v -= delta
	}
	var buf [maxDecimalLen]byte
	digits := strconv.AppendUint(buf[:0], v, 10)
	n := len(digits)
	inPlace := n <= int(s.m.u32(it+iNBytes))
	if old := int(s.m.u32(it + iNBytes)); n < old {
		// memcached rewrites the number in place when it fits, padding with spaces: decr of
		// "10" by 1 leaves "9 ".
		n = old
	}
	if inPlace && n <= maxInPlace {
		s.rewriteNumber(it, key, digits, n, h, hold)
		return v, nil
	}
	nit, touched, err := s.alloc(s.classForKey(itemTotal(len(key), n), h), s.stripeOf(h), hold, false)
	if err != nil {
		return 0, err
	}
	if touched {
		if it, link, res = s.find(key, h, now, hold); res != lookupHit || int(s.m.u32(it+iNBytes)) > n {
			s.freeAlloc(nit, hold)
			return 0, ErrNotFound
		}
	}
	s.fillItem(nit, key, h, s.m.u32(it+iFlags), s.m.u32(it+iExp), now, n)
	if inPlace { // what memcached rewrites in place keeps its access time and fetched bit
		s.m.setU32(nit+iTime, s.m.u32(it+iTime))
		s.m.setU8(nit+iBits, s.m.u8(it+iBits))
	}
	dst := s.itemValue(nit)
	for i := copy(dst, digits); i < len(dst); i++ {
		dst[i] = ' '
	}
	s.link(nit, it, link, h, hold, false)
	return v, nil
}

// maxInPlace is the longest value arith rewrites in place; a longer one (a number padded
// or followed by other bytes) goes into a new item.
const maxInPlace = 24

// rewriteNumber writes digits, padded with spaces to n bytes (the value's length, at most
// maxInPlace, read once by the caller: the region's copy may change under it), over item
// it's value, and gives it a new CAS id, as memcached's
// in-place incr does. The stripe's version is made odd first, so a lock-free reader that
// overlaps the rewrite retries (seqlock.go), and each 8-byte word of the chunk that holds
// a byte of the value is a journaled store, so a crash leaves the old number or the new,
// never digits of both. The caller holds the stripe.
func (s *Store) rewriteNumber(it uint64, key, digits []byte, n int, h, hold uint32) {
	s.beginWriting(s.stripeOf(h))
	s.writeWords(hold, it+itemHeaderSize+uint64(len(key)), digits, n)
	s.w64a(hold, it+iCAS, s.m.a64(hCAS).Add(1))
}

// parseDecimal parses an unsigned 64-bit decimal number as memcached's safe_strtoull does
// (strtoull, then its checks): leading whitespace, an optional sign, at least one digit, no
// overflow; the number must end the value or be followed by whitespace (anything may come
// after that) or a NUL; and a value with a minus sign that reads as a negative number is
// refused.
func parseDecimal(b []byte) (uint64, bool) {
	i := 0
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	neg := false
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		neg = b[i] == '-'
		i++
	}
	start := i
	var v uint64
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		d := uint64(b[i] - '0')
		if v > (1<<64-1-d)/10 {
			return 0, false // strtoull's ERANGE
		}
		v = v*10 + d
		i++
	}
	if i == start || (i < len(b) && !isSpace(b[i]) && b[i] != 0) {
		return 0, false
	}
	if neg {
		v = -v // strtoull negates
		if int64(v) < 0 {
			return 0, false
		}
	}
	return v, true
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}
