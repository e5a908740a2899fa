package kv

import (
	"fmt"
	"math/bits"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/cespare/xxhash/v2"
)

// Slot identifies a client slot: one caller (one thread's call at a time) that may hold the
// store's locks. Lock words record the slot of their holder, and statistics are kept per
// slot. Slots are numbered from 0 to Config.MaxSlots-1; the caller (package plib) hands them
// out so that no two concurrent calls use the same slot.
type Slot uint32

// Options are the process-local settings of a Store: nothing here is shared between the
// processes that map the region, and nothing here is needed for the region's correctness.
type Options struct {
	// Clock supplies the time; default CoarseClock.
	Clock Clock
	// OnEvict, if set, is called with the key of each live item evicted to make room,
	// while the store's locks are held. The key is valid only during the call. It exists
	// for tests and tracing; it must not call back into the Store.
	OnEvict func(key []byte)
	// HolderAlive, if set, tells a client waiting for a lock whether the slot holding it
	// belongs to a live process; a lock whose holder is dead is taken over. Package plib
	// answers from its slot table (pid and start time). Nil means every holder is alive.
	// The store repairs what a dead holder left half-done from its journal (see doc.go).
	HolderAlive func(slot Slot) bool
	// LockTimeout bounds every wait for a lock held by a live client: a call that waits
	// longer gives up with a *BusyError (ErrBusy) and changes nothing. Zero means
	// DefaultLockTimeout, and so does a negative value: no wait is unbounded.
	LockTimeout time.Duration
	// HolderPid, if set, tells a BusyError the process id of the slot holding the lock
	// (package plib answers from its slot table); 0 if unknown.
	HolderPid func(slot Slot) int
	// NoEvict is memcached's -M: this process's writes never evict a live item to make
	// room (expired and flushed ones are still reclaimed); they fail with ErrOutOfMemory.
	NoEvict bool
}

// Store is a memcached engine over one region of memory. Its methods are safe for
// concurrent use by many goroutines and by many processes mapping the same region, provided
// that concurrent calls use distinct Slots.
//
// A Store holds no state of its own beyond the region's address and values derived from the
// region's immutable header; every mutable word (locks, lists, counters) lives in the region.
type Store struct {
	m mem
	// region is the slice m addresses, held so that the GC keeps a heap region alive.
	region  []byte
	g       geometry
	clock   Clock
	onEvict func(key []byte)
	noEvict bool // Options.NoEvict
	// holderAliveFn is Options.HolderAlive.
	holderAliveFn func(slot Slot) bool
	lockTimeout   time.Duration
	holderPidFn   func(slot Slot) int
	// expandTries counts this process's failed tries of the expand lock (expandHolderCheck).
	expandTries atomic.Uint64
	// crashHook, set only by tests, runs after every undo record: a test parks the
	// calling goroutine there for good to simulate a client killed between two stores.
	crashHook func()
	// readHook, set only by tests, runs in a lock-free read between finding the item and
	// copying its value: a test parks the reader there while writers change the stripe.
	readHook func()
	// chainLimit bounds a hash chain walk: no chain is longer than the chunks that fit.
	chainLimit int
	stripeMask uint32
	pageShift  uint
	numClasses int
}

// Meta describes an item returned by a read.
type Meta struct {
	// Flags are the item's client flags.
	Flags uint32
	// CAS is the item's CAS id, as memcached's gets returns it.
	CAS uint64
	// Len is the value's length in bytes, also when the destination was too small for it.
	Len int
	// Exp is the item's expiration as a unix time in seconds, 0 if it never expires.
	Exp int64
	// LastAccess is the unix time of the item's last store or LRU bump (memcached's
	// it->time: a read moves it at most once a minute).
	LastAccess int64
	// Fetched reports whether the item had been read before this call (memcached's
	// ITEM_FETCHED, the meta protocol's h flag).
	Fetched bool
	// Stale and TokenSent are the meta protocol's lease marks (see MetaLease): the item
	// was invalidated (X), and a client holds the win token to refresh it (Z).
	Stale, TokenSent bool
}

// Format initialises region as a new, empty store of the given configuration and returns
// it. Whatever the region held before is lost. The region's first byte must be 64-byte
// aligned (a mapping always is).
func Format(region []byte, cfg Config, opts Options) (*Store, error) {
	if err := checkAlignment(region); err != nil {
		return nil, err
	}
	g, err := newGeometry(uint64(len(region)), cfg, 0)
	if err != nil {
		return nil, err
	}
	m := newMem(region)
	clear(m.bytes(0, g.firstPage))
	for cls := 1; cls < len(g.classSizes); cls++ {
		ce := g.classOff + uint64(cls)*classEntrySize
		m.setU32(ce+cChunkSize, uint32(g.classSizes[cls]))
		m.setU32(ce+cPerSlab, uint32(g.pageSize/g.classSizes[cls]))
	}
	m.setU32(hHashPower, uint32(g.initPower))
	m.setU64(hPrimary, g.initTableOff)
	g.writeHeader(m)
	return newStore(region, g, opts), nil
}

// Open attaches to a region that Format initialised, in this or another process, and
// validates its header: a region that is not a store (ErrNotRegion), of another layout
// version (ErrVersion), shorter or longer than its header says (ErrTruncated,
// ErrSizeMismatch), with a damaged header (ErrHeaderChecksum) or inconsistent tables
// (ErrCorrupt) is refused.
func Open(region []byte, opts Options) (*Store, error) {
	if err := checkAlignment(region); err != nil {
		return nil, err
	}
	g, err := readGeometry(region)
	if err != nil {
		return nil, err
	}
	s := newStore(region, g, opts)
	if err := s.checkMutableHeader(); err != nil {
		return nil, err
	}
	return s, nil
}

func checkAlignment(region []byte) error {
	if len(region) == 0 {
		return fmt.Errorf("%w: empty region", ErrTruncated)
	}
	if uintptr(unsafe.Pointer(unsafe.SliceData(region)))%cacheLine != 0 {
		return ErrAlignment
	}
	return nil
}

func newStore(region []byte, g geometry, opts Options) *Store {
	m := newMem(region)
	if opts.Clock == nil {
		opts.Clock = CoarseClock{}
	}
	if opts.LockTimeout <= 0 {
		opts.LockTimeout = DefaultLockTimeout
	}
	return &Store{
		m: m, region: region, g: g, clock: opts.Clock, onEvict: opts.OnEvict, noEvict: opts.NoEvict, holderAliveFn: opts.HolderAlive,
		lockTimeout: opts.LockTimeout, holderPidFn: opts.HolderPid,
		chainLimit: int(min(maxChain, g.numPages*(g.pageSize/g.minChunk))),
		stripeMask: uint32(g.stripes - 1),
		pageShift:  uint(bits.TrailingZeros64(g.pageSize)),
		numClasses: len(g.classSizes) - 1,
	}
}

// checkMutableHeader validates the header words that change at run time, so that a damaged
// region is refused at Open rather than followed out of bounds later.
func (s *Store) checkMutableHeader() error {
	m, g := s.m, s.g
	bad := func(what string, v uint64) error { return fmt.Errorf("%w: header %s = %d", ErrCorrupt, what, v) }
	if v := m.u64(hBumpNext); v > g.numPages {
		return bad("next page", v)
	}
	if v := m.u64(hFreePages); v > g.numPages {
		return bad("free page stack", v)
	}
	if err := s.checkTable(m.u64(hPrimary), uint64(m.u32(hHashPower))); err != nil {
		return err
	}
	if m.u32(hExpanding) > 1 {
		return bad("expanding", uint64(m.u32(hExpanding)))
	}
	if m.u32(hExpanding) == 1 {
		if err := s.checkTable(m.u64(hOld), uint64(m.u32(hOldPower))); err != nil {
			return err
		}
		if m.u32(hOldPower)+1 != m.u32(hHashPower) || m.u64(hCursor) > 1<<m.u32(hOldPower) {
			return bad("hash migration cursor", m.u64(hCursor))
		}
	}
	for cls := 1; cls <= s.numClasses; cls++ {
		ce := s.classEntry(uint8(cls))
		if uint64(m.u32(ce+cChunkSize)) != g.classSizes[cls] || uint64(m.u32(ce+cPerSlab)) != g.pageSize/g.classSizes[cls] {
			return bad(fmt.Sprintf("class %d chunk size", cls), uint64(m.u32(ce+cChunkSize)))
		}
	}
	return nil
}

// checkTable checks that a hash table of 2^power buckets at off lies wholly in the region:
// either the initial table or a run of pages.
func (s *Store) checkTable(off, power uint64) error {
	if power < uint64(bits.Len64(s.g.stripes-1)) || power > 32 {
		return fmt.Errorf("%w: hash power %d", ErrCorrupt, power)
	}
	size := uint64(8) << power
	if off == s.g.initTableOff && power == s.g.initPower {
		return nil
	}
	if off < s.g.firstPage || (off-s.g.firstPage)&(s.g.pageSize-1) != 0 || off+size > s.pageStart(s.g.numPages) {
		return fmt.Errorf("%w: hash table at %d of %d bytes outside the page area", ErrCorrupt, off, size)
	}
	return nil
}

// Size is the region's size in bytes.
func (s *Store) Size() uint64 { return s.g.regionSize }

// MaxItemSize is the largest item (56-byte header, key and value) the store accepts.
func (s *Store) MaxItemSize() int { return int(s.g.maxItem) }

// MaxValueSize is the largest value the store accepts with a key of keyLen bytes.
func (s *Store) MaxValueSize(keyLen int) int { return int(s.g.maxItem) - itemHeaderSize - keyLen }

// MaxSlots is the number of client slots in the region.
func (s *Store) MaxSlots() int { return int(s.g.maxSlots) }

func (s *Store) now() int64 { return s.clock.Now() }

func hashKey(key []byte) uint32 { return uint32(xxhash.Sum64(key)) }

// CheckKey reports whether key is a valid memcached key: 1 to 250 bytes, none of them a
// space or control character.
func CheckKey(key []byte) error {
	if len(key) == 0 || len(key) > MaxKeyLen {
		return fmt.Errorf("%w: length %d not in [1, %d]", ErrMalformedKey, len(key), MaxKeyLen)
	}
	for i, c := range key {
		if c <= ' ' || c == 0x7f {
			return fmt.Errorf("%w: byte %#02x at %d", ErrMalformedKey, c, i)
		}
	}
	return nil
}

// checkCall validates an operation's slot and key. It returns bare sentinels: it runs
// inside plib's trampolines, where nothing may allocate. The store holds any key of 1 to
// 250 bytes, as memcached does (its text protocol passes control bytes, its meta
// protocol's base64 keys any byte); CheckKey is the stricter rule of clients' APIs.
func (s *Store) checkCall(slot Slot, key []byte) error {
	if uint64(slot) >= s.g.maxSlots {
		return ErrBadSlot
	}
	if len(key) == 0 || len(key) > MaxKeyLen {
		return ErrMalformedKey
	}
	return nil
}
