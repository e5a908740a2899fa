package plib

import "github.com/plibcached/plibcached/kv"

// Item is an item to be got or stored, shaped like gomemcache's memcache.Item.
type Item struct {
	// Key is the item's key (1 to 250 bytes, no spaces or control characters).
	Key string
	// Value is the item's value.
	Value []byte
	// Flags are opaque to the store.
	Flags uint32
	// Expiration is the cache expiration time in seconds: either a relative time from now
	// (up to 1 month), or an absolute unix time. Zero means the item has no expiration.
	Expiration int32
	// CasID is the compare-and-swap id, set by Get and used by CompareAndSwap.
	CasID uint64
}

// with borrows a session for one call and gives it back, also when f panics (see
// salvage).
func (c *Client) with(f func(s *Session) error) (err error) {
	if c.closed.Load() {
		return ErrClosed
	}
	s, err := c.borrow()
	if err != nil {
		return err
	}
	done := false
	defer func() {
		if !done {
			c.salvage(s)
		}
	}()
	err = f(s)
	done = true
	c.giveBack(s)
	return err
}

// salvage deals with a borrowed session whose call is panicking. The only caller code a
// call runs, the Clock, runs before rights are raised, so a session whose Clock panicked
// holds no lock and goes back to the pool. One that does hold a lock (after a panic
// inside the store itself: a bug, or a damaged segment) is retired instead: it stays this
// Client's, out of the pool, until Close frees its slot, and waiters meet its locks as
// package kv documents.
func (c *Client) salvage(s *Session) {
	if c.locksHeldBy(s) == 0 {
		c.giveBack(s)
		return
	}
	c.mu.Lock()
	s.pooled = false // borrow no longer waits for it
	c.mu.Unlock()
}

// locksHeldBy counts the store locks s's slot holds, in one call.
func (c *Client) locksHeldBy(s *Session) int {
	c.raise()
	defer c.exit()
	return c.store.LocksHeldBy(s.slot)
}

// Get gets the item for the given key. ErrCacheMiss is returned for a memcached cache
// miss. The key must be at most 250 bytes in length.
func (c *Client) Get(key string) (item *Item, err error) {
	err = c.with(func(s *Session) error {
		item, err = s.getItem(key, false, 0)
		return err
	})
	return item, err
}

// GetAndTouch gets the item for the given key and sets its expiration (memcached's gat).
func (c *Client) GetAndTouch(key string, seconds int32) (item *Item, err error) {
	err = c.with(func(s *Session) error {
		item, err = s.getItem(key, true, seconds)
		return err
	})
	return item, err
}

// getItem reads into the slot's scratch in one call, then allocates the value outside any
// call and copies it out in a second: nothing allocates while rights are raised.
func (s *Session) getItem(key string, touch bool, seconds int32) (*Item, error) {
	k := []byte(key)
	if err := s.checkKey(k); err != nil {
		return nil, err
	}
	m, err := s.fetchScratch(k, touch, seconds)
	if err != nil {
		return nil, mapErr(err)
	}
	it := &Item{Key: key, Value: make([]byte, m.Len), Flags: m.Flags, CasID: m.CAS}
	s.copyScratch(it.Value) // the scratch is this session's until it is given back
	return it, nil
}

// fetchScratch is one call reading key's value into the whole value scratch.
func (s *Session) fetchScratch(key []byte, touch bool, seconds int32) (Meta, error) {
	s.c.enter()
	defer s.c.exit()
	return s.fetch(key, touch, seconds, len(s.val))
}

// copyScratch is one call copying the first len(dst) bytes of the value scratch to dst.
func (s *Session) copyScratch(dst []byte) {
	s.c.raise()
	defer s.c.exit()
	copy(dst, s.val[:len(dst)])
}

// GetMulti is a batch version of Get. The returned map from keys to items may have fewer
// elements than the input slice, due to memcached cache misses. Each key must be at most
// 250 bytes in length. If no error is returned, the returned map will also be non-nil.
func (c *Client) GetMulti(keys []string) (map[string]*Item, error) {
	m := make(map[string]*Item, len(keys))
	err := c.with(func(s *Session) error {
		for _, key := range keys {
			it, err := s.getItem(key, false, 0)
			switch err {
			case nil:
				m[key] = it
			case ErrCacheMiss:
			default:
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

func (c *Client) storeItem(mode StoreMode, item *Item) error {
	return c.with(func(s *Session) error {
		cas, err := s.Store(mode, []byte(item.Key), item.Value, item.Flags, item.Expiration, item.CasID)
		if err == nil {
			item.CasID = cas
		}
		return err
	})
}

// Set writes the given item, unconditionally. On success item.CasID is the new CAS id.
func (c *Client) Set(item *Item) error { return c.storeItem(kv.ModeSet, item) }

// Add writes the given item, if no value already exists for its key. ErrNotStored is
// returned if that condition is not met.
func (c *Client) Add(item *Item) error { return c.storeItem(kv.ModeAdd, item) }

// Replace writes the given item, but only if the server *does* already hold data for this
// key. ErrNotStored is returned if that condition is not met.
func (c *Client) Replace(item *Item) error { return c.storeItem(kv.ModeReplace, item) }

// Append appends the given item to the existing item, if a value already exists for its
// key. ErrNotStored is returned if that condition is not met. Flags and expiration of the
// existing item are kept.
func (c *Client) Append(item *Item) error { return c.storeItem(kv.ModeAppend, item) }

// Prepend prepends the given item to the existing item, if a value already exists for its
// key. ErrNotStored is returned if that condition is not met.
func (c *Client) Prepend(item *Item) error { return c.storeItem(kv.ModePrepend, item) }

// CompareAndSwap writes the given item that was previously returned by Get, if the value
// was neither modified nor evicted between the Get and the CompareAndSwap calls. The
// item's Key should not change between calls but all other item fields may differ.
// ErrCASConflict is returned if the value was modified in between the calls.
// ErrNotStored is returned if the value was evicted in between the calls.
func (c *Client) CompareAndSwap(item *Item) error {
	err := c.storeItem(kv.ModeCAS, item)
	if err == ErrCacheMiss {
		return ErrNotStored // gomemcache's answer when the item was evicted
	}
	return err
}

// Delete deletes the item with the provided key. The error ErrCacheMiss is returned if
// the item didn't already exist in the cache.
func (c *Client) Delete(key string) error {
	return c.with(func(s *Session) error { return s.Delete([]byte(key)) })
}

// Increment atomically increments key by delta. The return value is the new value after
// being incremented or an error. If the value didn't exist in memcached the error is
// ErrCacheMiss. The value in memcached must be an decimal number, or an error will be
// returned. On 64-bit overflow, the new value wraps around.
func (c *Client) Increment(key string, delta uint64) (newValue uint64, err error) {
	err = c.with(func(s *Session) error {
		newValue, err = s.Incr([]byte(key), delta)
		return err
	})
	return newValue, err
}

// Decrement atomically decrements key by delta. The return value is the new value after
// being decremented or an error. If the value didn't exist in memcached the error is
// ErrCacheMiss. The value in memcached must be an decimal number, or an error will be
// returned. On underflow, the new value is capped at zero and does not wrap around.
func (c *Client) Decrement(key string, delta uint64) (newValue uint64, err error) {
	err = c.with(func(s *Session) error {
		newValue, err = s.Decr([]byte(key), delta)
		return err
	})
	return newValue, err
}

// Touch updates the expiry for the given key. The seconds parameter is either a Unix
// timestamp or, if seconds is less than 1 month, the number of seconds into the future at
// which time the item will expire. Zero means the item has no expiration time.
// ErrCacheMiss is returned if the key is not in the cache.
func (c *Client) Touch(key string, seconds int32) error {
	return c.with(func(s *Session) error { return s.Touch([]byte(key), seconds) })
}

// FlushAll invalidates every item in the store.
func (c *Client) FlushAll() error {
	return c.with(func(s *Session) error { return s.FlushAll(0) })
}

// DeleteAll deletes all items in the cache (gomemcache's name for flush_all).
func (c *Client) DeleteAll() error { return c.FlushAll() }

// Ping checks that the store is reachable: here, that the segment is mapped and valid.
func (c *Client) Ping() error {
	return c.with(func(s *Session) error { return nil })
}

// GetInto is Session.GetInto on a pooled session: the allocation-free read.
func (c *Client) GetInto(key, dst []byte) (Meta, error) {
	if c.closed.Load() {
		return Meta{}, ErrClosed
	}
	s, err := c.borrow()
	if err != nil {
		return Meta{}, err
	}
	done := false
	defer func() {
		if !done {
			c.salvage(s)
		}
	}()
	m, err := s.GetInto(key, dst)
	done = true
	c.giveBack(s)
	return m, err
}
