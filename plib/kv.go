package plib

import "github.com/plibcached/plibcached/kv"

// kvConfig is the one place kv's configuration is built from plib's Options: the store's
// item size, hash table sizing and slot count (slots: the segment's, which a later opener
// takes from the segment's header).
func kvConfig(o Options, slots int) kv.Config {
	return kv.Config{MaxItemSize: o.MaxItemSize, ExpectedItems: o.ExpectedItems, MaxSlots: slots}
}

// kvOptions is the one place kv's process-local options are built from plib's Options.
func kvOptions(o Options, holderAlive func(kv.Slot) bool) kv.Options {
	return kv.Options{Clock: o.Clock, HolderAlive: holderAlive, NoEvict: o.NoEvict}
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
func (s *Session) CacheDump(cls, limit int) ([]kv.DumpEntry, error) {
	c := s.c
	c.enter()
	defer c.exit()
	d, err := c.store.CacheDump(s.slot, cls, limit)
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
