package kv

import "encoding/binary"

// Replacing in place. YCSB's updates, like most caches' writes, replace a value with one
// of the same length. Taking a fresh chunk for it means two sections of the class (shard)
// lock, one to allocate and one to link the new item and free the old; with keys drawn by
// a skewed distribution the hottest keys' shards are then the store's busiest locks. A
// same-length replacement instead rewrites the item where it is, under its stripe alone:
// every word of the value and of the header fields that change is a journaled store made
// while the stripe's version is odd, so a crash rolls it back whole and a lock-free reader
// retries (seqlock.go), as with an in-place increment.
//
// The item keeps its chunk, so it also keeps its place in the LRU unless the class lock
// can be had at once (tryLock): then it moves to the head, as a new item would. Under
// contention a replaced item may therefore stay where it was; its access time is now,
// like a new item's (flush_all's deadlines compare it), and the next read moves it.

// maxReplaceInPlace is the longest value replaced in place: its words, and the header's,
// must fit one section's undo log (journalCap) with room to spare.
const maxReplaceInPlace = 512

// replaceInPlace stores value over old, a linked item of key with a value of exactly
// len(value) bytes, and returns the new CAS id. The caller holds the stripe and has
// checked the mode's precondition.
func (s *Store) replaceInPlace(old uint64, key, value []byte, flags, exp uint32, h uint32, now int64, hold uint32) uint64 {
	s.beginWriting(s.stripeOf(h))
	s.writeWords(hold, old+itemHeaderSize+uint64(len(key)), value, len(value))
	cas := s.m.a64(hCAS).Add(1)
	s.w64a(hold, old+iCAS, cas)
	s.w32(hold, old+iExp, exp)
	s.w32(hold, old+iTime, uint32(now))
	s.w32(hold, old+iFlags, flags)
	s.w8(hold, old+iBits, 0)
	if exp != 0 {
		s.markMayExpire(s.classOf(old))
	}
	cls := s.classOf(old)
	if ce := s.classEntry(cls); s.tryLock(ce+cLock, hold) {
		s.listRemove(hold, ce, cLRUHead, cLRUTail, old)
		s.listPushHead(hold, ce, cLRUHead, cLRUTail, old)
		s.unlock(ce + cLock)
	}
	return cas
}

// writeWords writes src, padded with spaces to n bytes, at start (inside one chunk) with
// a journaled store of each aligned 8-byte word that holds one of those bytes; the bytes
// of those words outside [start, start+n) keep their values. A chunk's words end at its
// 8-aligned end, so no word reaches past it.
func (s *Store) writeWords(hold uint32, start uint64, src []byte, n int) {
	end := start + uint64(n)
	var word [8]byte
	for w := start &^ 7; w < end; w += 8 {
		binary.LittleEndian.PutUint64(word[:], s.m.u64(w))
		for i := range word {
			if off := w + uint64(i); off >= start && off < end {
				if d := off - start; d < uint64(len(src)) {
					word[i] = src[d]
				} else {
					word[i] = ' '
				}
			}
		}
		s.w64a(hold, w, binary.LittleEndian.Uint64(word[:]))
	}
}
