package kv

// Unlink removes the item stored under key, if any, without counting a delete: what
// memcached does to the old value when a set of the same key fails (too large, or out of
// memory), so that no stale value is left behind. It reports whether there was one.
func (s *Store) Unlink(slot Slot, key []byte) (bool, error) {
	if err := s.checkCall(slot, key); err != nil {
		return false, err
	}
	hold, h, now := holder(slot), hashKey(key), s.now()
	stripe := s.stripeOf(h)
	s.lock(stripe, hold)
	it, link, res := s.find(key, h, now, hold)
	if res == lookupHit {
		s.unlinkItem(it, link, hold)
	}
	s.unlock(stripe)
	if res == lookupCorrupt {
		return false, ErrCorrupt
	}
	return res == lookupHit, nil
}
