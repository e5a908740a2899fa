package protocol

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/plibcached/plibcached/plib"
)

// Session is the store as one command sees it. *plib.Session satisfies it, so the hot
// path calls the library directly; errors are plib's sentinels (plib.ErrCacheMiss, ...).
type Session interface {
	// GetInto copies key's value into dst; ErrBufferTooSmall (with Meta.Len) if it
	// does not fit.
	GetInto(key, dst []byte) (plib.Meta, error)
	// GetIntoNoUpdate is GetInto that neither marks the item fetched nor bumps it.
	GetIntoNoUpdate(key, dst []byte) (plib.Meta, error)
	// GetAndTouchInto is GetInto that also sets the item's expiry (gat).
	GetAndTouchInto(key []byte, exptime int32, dst []byte) (plib.Meta, error)
	// Store runs set, add, replace, append, prepend or cas and returns the new CAS id.
	Store(mode plib.StoreMode, key, value []byte, flags uint32, exptime int32, cas uint64) (uint64, error)
	// Delete removes key's item.
	Delete(key []byte) error
	// Unlink removes key's item without counting a delete.
	Unlink(key []byte) error
	// Incr adds delta to key's decimal value, wrapping at 2^64.
	Incr(key []byte, delta uint64) (uint64, error)
	// Decr subtracts delta from key's decimal value, stopping at 0.
	Decr(key []byte, delta uint64) (uint64, error)
	// Touch sets key's expiry.
	Touch(key []byte, exptime int32) error
	// FlushAll invalidates every item now (delay 0) or at the time delay names.
	FlushAll(delay int32) error
	// MetaLease decides whether the caller wins key's refresh token (mg N, R, stale).
	MetaLease(key []byte, req plib.LeaseReq) (plib.Lease, error)
	// Invalidate marks key's item stale (md I).
	Invalidate(key []byte, cas uint64, exptime *int32) error
	// StoreStale is ms I C: a compare-and-swap, or a stale store under an older CAS id.
	StoreStale(key, value []byte, flags uint32, exptime int32, cas uint64) (uint64, error)
	// Peek returns key's item metadata and slab class without fetching it (me).
	Peek(key []byte) (plib.Meta, int, error)
	// CacheDump lists up to limit items of slab class cls ("stats cachedump").
	CacheDump(cls, limit int) ([]plib.DumpEntry, error)
}

// Backend lends sessions to commands and reports on the store. A connection borrows a
// session for one command (never across network I/O) and gives it back, so a few
// sessions (client slots of the segment) serve any number of connections.
type Backend interface {
	// Acquire lends a session, waiting for one if all are out.
	Acquire() (Session, error)
	// Release takes back a session Acquire lent.
	Release(Session)
	// Stats is a snapshot of the store's statistics.
	Stats() plib.Stats
	// Now is the store's clock (unix seconds), for the TTLs and ages meta commands print.
	Now() int64
}

// PlibBackend is a Backend over a *plib.Client: a bounded pool of sessions, each holding
// one client slot of the segment, made on demand.
type PlibBackend struct {
	client *plib.Client
	clock  plib.Clock
	max    atomic.Int32 // lowered to the sessions made when the segment runs out of slots
	made   atomic.Int32
	free   chan *plib.Session
	mu     sync.Mutex
	all    []*plib.Session
	closed atomic.Bool
}

// NewPlibBackend pools up to maxSessions sessions of c (at least 1). clock must be the
// clock c's store runs on (nil: plib.CoarseClock, plib's default).
func NewPlibBackend(c *plib.Client, maxSessions int, clock plib.Clock) *PlibBackend {
	if maxSessions < 1 {
		maxSessions = 1
	}
	if clock == nil {
		clock = plib.CoarseClock{}
	}
	b := &PlibBackend{client: c, clock: clock, free: make(chan *plib.Session, maxSessions)}
	b.max.Store(int32(maxSessions))
	return b
}

// ErrBackendClosed is returned by Acquire after Close.
var ErrBackendClosed = errors.New("protocol: backend closed")

// Acquire lends a pooled session, makes one while fewer than the maximum exist, or waits
// for one to come back. If no slot can be claimed and none is lent, it fails.
func (b *PlibBackend) Acquire() (Session, error) {
	s, err := b.TryAcquire()
	if err != ErrNoSession {
		return s, err
	}
	s, ok := <-b.free
	if !ok {
		return nil, ErrBackendClosed
	}
	return s, nil
}

// TryAcquire is Acquire that never waits: it fails with ErrNoSession when every session
// is lent and no more can be made. An event loop claims its session so, once.
func (b *PlibBackend) TryAcquire() (Session, error) {
	select {
	case s := <-b.free:
		return s, nil
	default:
	}
	if b.closed.Load() {
		return nil, ErrBackendClosed
	}
	if b.made.Add(1) > b.max.Load() {
		b.made.Add(-1)
		return nil, ErrNoSession
	}
	s, err := b.client.Session()
	if err != nil {
		made := b.made.Add(-1)
		if made == 0 || !errors.Is(err, plib.ErrNoSlots) {
			return nil, fmt.Errorf("protocol: no session: %w", err)
		}
		b.max.Store(made) // other processes hold the rest: stop looking for slots
		return nil, ErrNoSession
	}
	s.AcceptAnyKey() // memcached's keys: control bytes are allowed
	b.mu.Lock()
	b.all = append(b.all, s)
	b.mu.Unlock()
	return s, nil
}

// ErrNoSession is TryAcquire's error when every session is lent and no more can be made.
var ErrNoSession = errors.New("protocol: every session is in use")

// Release returns a session to the pool.
func (b *PlibBackend) Release(s Session) { b.free <- s.(*plib.Session) }

// Stats returns the store's statistics.
func (b *PlibBackend) Stats() plib.Stats { return b.client.Stats() }

// Now reads the store's clock.
func (b *PlibBackend) Now() int64 { return b.clock.Now() }

// Close gives every session's slot back to the segment. Sessions still lent must not be
// used afterwards; the Client stays open (its owner closes it).
func (b *PlibBackend) Close() error {
	if !b.closed.CompareAndSwap(false, true) {
		return ErrBackendClosed
	}
	b.mu.Lock()
	all := b.all
	b.all = nil
	b.mu.Unlock()
	var errs []error
	for _, s := range all {
		errs = append(errs, s.Close())
	}
	return errors.Join(errs...)
}
