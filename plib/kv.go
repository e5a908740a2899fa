package plib

import "github.com/plibcached/plibcached/kv"

// plib is the one door into kv for the rest of the project: what protocol, plibd,
// cmd/plibctl, torture and harness need of kv is named here (TestOnlyPlibImportsKV).

// The store's modes for Session.Store (memcached's storage commands).
const (
	ModeSet     = kv.ModeSet
	ModeAdd     = kv.ModeAdd
	ModeReplace = kv.ModeReplace
	ModeAppend  = kv.ModeAppend
	ModePrepend = kv.ModePrepend
	ModeCAS     = kv.ModeCAS
)

// The store's statistics, clocks, check errors and cache dumps, as kv defines them.
type (
	// Stats is a snapshot of the store's statistics (Client.Stats).
	Stats = kv.Stats
	// SlabStats is one slab class's figures in Stats.
	SlabStats = kv.SlabStats
	// Clock tells the store the time (Options.Clock).
	Clock = kv.Clock
	// CoarseClock is the default Clock: the unix time, updated ten times a second.
	CoarseClock = kv.CoarseClock
	// ManualClock is a Clock that moves only when told to (tests).
	ManualClock = kv.ManualClock
	// CheckError is the error Check returns for a broken invariant.
	CheckError = kv.CheckError
	// DumpEntry is one item of Session.CacheDump.
	DumpEntry = kv.DumpEntry
	// BusyError is the error of a call that waited Options.LockTimeout for a lock a live
	// process kept (errors.Is(err, ErrBusy)): it names the holder's slot and pid.
	BusyError = kv.BusyError
)

// NewManualClock returns a ManualClock reading t.
func NewManualClock(t int64) *ManualClock { return kv.NewManualClock(t) }

// ItemSize is the bytes one item occupies before rounding to its slab chunk: header, key
// and value.
func ItemSize(keyLen, valueLen int) int { return kv.ItemSize(keyLen, valueLen) }

// kvConfig is the one place kv's configuration is built from plib's Options: the store's
// item size, hash table sizing and slot count (slots: the segment's, which a later opener
// takes from the segment's header).
func kvConfig(o Options, slots int) kv.Config {
	return kv.Config{MaxItemSize: o.MaxItemSize, ExpectedItems: o.ExpectedItems, MaxSlots: slots, ClassShards: o.ClassShards}
}

// kvOptions is the one place kv's process-local options are built from plib's Options,
// for client c: the store reads clock (c.storeClock's, never the caller's own), asks c
// whether a lock's holder lives and who it is, and waits for a live one at most
// o.LockTimeout.
func kvOptions(o Options, clock kv.Clock, c *Client) kv.Options {
	return kv.Options{Clock: clock, HolderAlive: c.slotAlive, HolderPid: c.slotPid, LockTimeout: o.LockTimeout, NoEvict: o.NoEvict}
}

// SegmentSizeForItemMemory is the segment size (a multiple of the page size) that gives
// the store itemBytes of slab pages, rounded up to whole pages, beside opts' client slots
// and tables: memcached's -m, which limits the memory for items, not the process.
func SegmentSizeForItemMemory(itemBytes int64, opts Options) (int64, error) {
	o := opts.withDefaults()
	o.Size = 1 << 62
	l, err := newLayout(o)
	if err != nil {
		return 0, err
	}
	region, err := kv.RegionSizeForItemMemory(itemBytes, kvConfig(o, o.MaxClients))
	if err != nil {
		return 0, err
	}
	return int64(alignUp(l.kvOff+region, pageSize)), nil
}

// CacheDump lists up to limit items (0: as many as fit 2 MiB) of slab class cls, most
// recently used first: memcached's "stats cachedump".
func (s *Session) CacheDump(cls, limit int) ([]DumpEntry, error) {
	n := limit
	if n <= 0 || n > 1<<16 {
		n = 1 << 16
	}
	out, keys := make([]DumpEntry, 0, n), make([]byte, 0, 2<<20) // nothing allocates in the call
	c := s.c
	c.enter()
	defer c.exit()
	d, err := c.store.CacheDump(s.slot, cls, limit, out, keys)
	return d, mapErr(err)
}

// Unlink removes key's item, if any, without counting a delete (memcached's cleanup of a
// failed set).
func (s *Session) Unlink(key []byte) error {
	if err := s.checkKey(key); err != nil {
		return err
	}
	c := s.c
	c.enter()
	defer c.exit()
	_, err := c.store.Unlink(s.slot, s.key[:copy(s.key, key)])
	return mapErr(err)
}

// AcceptAnyKey lets the session use any key of 1 to 250 bytes, control bytes included, as
// memcached's protocols do (plibd serves them). By default plib's API keeps gomemcache's
// rule: no spaces, control bytes or DEL.
func (s *Session) AcceptAnyKey() { s.anyKey = true }

// gomemcacheKey reports whether key has no space, control byte or DEL (gomemcache's
// legalKey, kv.CheckKey's rule).
func gomemcacheKey(key []byte) bool {
	for _, c := range key {
		if c <= ' ' || c == 0x7f {
			return false
		}
	}
	return true
}

// keyRule is the session's rule on a key's bytes: gomemcache's, unless AcceptAnyKey.
func (s *Session) keyRule(key []byte) error {
	if !s.anyKey && !gomemcacheKey(key) {
		return ErrMalformedKey
	}
	return nil
}

// LeaseReq and Lease are the meta protocol's anti-stampede request and answer (kv's).
type (
	LeaseReq = kv.LeaseReq
	Lease    = kv.Lease
)

// MetaLease decides atomically whether this caller wins the token to refresh key's item
// (memcached's mg N and R, and its stale items): see kv.Store.MetaLease.
func (s *Session) MetaLease(key []byte, req LeaseReq) (Lease, error) {
	if err := s.checkKey(key); err != nil {
		return Lease{}, err
	}
	c := s.c
	c.enter()
	defer c.exit()
	l, err := c.store.MetaLease(s.slot, s.key[:copy(s.key, key)], req)
	return l, mapErr(err)
}

// Invalidate marks key's item stale instead of deleting it (memcached's md I): the next
// MetaLease wins the token to refresh it. cas, if not 0, must match; exptime, if set,
// becomes the item's.
func (s *Session) Invalidate(key []byte, cas uint64, exptime *int32) error {
	if err := s.checkKey(key); err != nil {
		return err
	}
	var exp *int64
	if exptime != nil {
		e := int64(*exptime)
		exp = &e
	}
	c := s.c
	c.enter()
	defer c.exit()
	return mapErr(c.store.Invalidate(s.slot, s.key[:copy(s.key, key)], cas, exp))
}

// StoreStale stores value under key if cas is the item's CAS id, or, if it is older,
// stores it marked stale keeping the item's expiry and token (memcached's ms I C).
func (s *Session) StoreStale(key, value []byte, flags uint32, exptime int32, cas uint64) (uint64, error) {
	if err := s.checkKey(key); err != nil {
		return 0, err
	}
	if s.c.overlaps(value) {
		return 0, ErrOverlap
	}
	c := s.c
	c.enter()
	defer c.exit()
	if len(value) > len(s.val) {
		return 0, ErrValueTooLarge
	}
	k, v := s.key[:copy(s.key, key)], s.val[:copy(s.val, value)]
	cas, err := c.store.StoreStale(s.slot, k, v, flags, int64(exptime), cas)
	return cas, mapErr(err)
}

// Peek returns key's item metadata and slab class without fetching or bumping it
// (memcached's "me").
func (s *Session) Peek(key []byte) (Meta, int, error) {
	if err := s.checkKey(key); err != nil {
		return Meta{}, 0, err
	}
	c := s.c
	c.enter()
	defer c.exit()
	m, cls, err := c.store.Peek(s.slot, s.key[:copy(s.key, key)])
	return m, cls, mapErr(err)
}

// GetIntoNoUpdate is GetInto that leaves the item as it was: not marked fetched, not
// bumped in its LRU (memcached's mg u).
func (s *Session) GetIntoNoUpdate(key, dst []byte) (Meta, error) {
	if err := s.checkKeyPlace(key); err != nil {
		return Meta{}, err
	}
	if s.c.overlaps(dst) {
		return Meta{}, ErrOverlap
	}
	if err := s.keyRule(key); err != nil {
		return Meta{}, err
	}
	c := s.c
	c.enter()
	defer c.exit()
	m, err := c.store.GetNoUpdate(s.slot, s.key[:copy(s.key, key)], s.val[:min(len(dst), len(s.val))])
	if err == nil {
		copy(dst, s.val[:m.Len])
	}
	return m, mapErr(err)
}
