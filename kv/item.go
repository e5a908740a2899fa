package kv

import "bytes"

// An item is a chunk of a slab page: a fixed header, the key, then the value. The header
// is memcached's 48 bytes plus its 8-byte CAS id, rearranged around 8-byte links:
//
//	0  hnext  u64  next item in the hash chain
//	8  prev   u64  LRU (or free list) neighbour towards the head
//	16 next   u64  LRU (or free list) neighbour towards the tail
//	24 cas    u64  CAS id, unique and increasing per mutation
//	32 exp    u32  expiry, unix seconds (0 = never)
//	36 time   u32  last LRU bump (stored time), unix seconds
//	40 flags  u32  client flags
//	44 nbytes u32  value length
//	48 hash   u32  low 32 bits of the key's hash
//	52 nkey   u8   key length
//	53 class  u8   slab class id
//	54 state  u8   stateFree, stateAlloc, stateLinked or stateMoving
//	55 bits   u8   bitFetched: read at least once since stored
const (
	itemHeaderSize = 56
	iHNext         = 0
	iPrev          = 8
	iNext          = 16
	iCAS           = 24
	iExp           = 32
	iTime          = 36
	iFlags         = 40
	iNBytes        = 44
	iHash          = 48
	iNKey          = 52
	iClass         = 53
	iState         = 54
	iBits          = 55
	// iBitsWord is the aligned 32-bit header word whose top byte (iBitsShift) is iBits,
	// for atomic changes of single bits.
	iBitsWord  = 52
	iBitsShift = 24

	// bitFetched marks an item read since it was stored (memcached's ITEM_FETCHED).
	bitFetched = 1

	// A chunk's state: on its class's free list; taken by a client that has not linked it
	// yet (a crash here leaks it, and Check reports it); or reachable from the hash table
	// and its class's LRU.
	stateUnused = 0
	stateFree   = 1
	stateAlloc  = 2
	stateLinked = 3
	// stateMoving: a free chunk taken off its class's free list by a page move in progress.
	stateMoving = 4

	// MaxKeyLen is memcached's key length limit in bytes.
	MaxKeyLen = 250
	// maxChain bounds a hash chain walk, so that a corrupted cyclic chain is an error; a
	// store's bound (Store.chainLimit) is lower where fewer chunks fit in its pages.
	maxChain = 1 << 22
)

func (s *Store) itemKey(it uint64) []byte {
	return s.m.bytes(it+itemHeaderSize, uint64(s.m.u8(it+iNKey)))
}

func (s *Store) itemValue(it uint64) []byte {
	return s.m.bytes(it+itemHeaderSize+uint64(s.m.u8(it+iNKey)), uint64(s.m.u32(it+iNBytes)))
}

// itemTotal is the bytes an item occupies before rounding up to its chunk.
func itemTotal(nkey, nbytes int) uint64 { return uint64(itemHeaderSize + nkey + nbytes) }

func (s *Store) itemSize(it uint64) uint64 {
	return itemTotal(int(s.m.u8(it+iNKey)), int(s.m.u32(it+iNBytes)))
}

func (s *Store) keyIs(it uint64, key []byte, h uint32) bool {
	return s.m.u32(it+iHash) == h && int(s.m.u8(it+iNKey)) == len(key) && bytes.Equal(s.itemKey(it), key)
}

// pageOf returns the page index of region offset off, which must lie in the page area.
func (s *Store) pageOf(off uint64) uint64 { return (off - s.g.firstPage) >> s.pageShift }

func (s *Store) pageStart(page uint64) uint64 { return s.g.firstPage + page<<s.pageShift }

// validItem reports whether off may be dereferenced as an item: inside a slab page of a real
// class, 8-aligned, with its header, key and value inside that page. It is what makes a
// corrupted link an error instead of an out-of-bounds access.
func (s *Store) validItem(off uint64) bool {
	if off < s.g.firstPage || off&7 != 0 {
		return false
	}
	page := s.pageOf(off)
	if page >= s.g.numPages {
		return false
	}
	if cls := s.pageClass(page); cls == pageUnassigned || int(cls) > s.numClasses || uint32(s.m.u8(off+iClass)) != cls {
		return false
	}
	end := s.pageStart(page + 1)
	if off+itemHeaderSize > end {
		return false
	}
	return off+s.itemSize(off) <= end
}
