package plib

// The meta protocol's leases through the gomemcache-shaped Client: a local process gets
// memcached's anti-stampede tokens without the network. A typical read-through:
//
//	item, l, err := c.GetLease(key, LeaseReq{Vivify: true, VivifyExptime: 30})
//	if l.Won { recompute the value; c.Set(&Item{Key: key, Value: v}) }
//	else if l.Created || l.Stale { serve stale data or retry shortly }

// GetLease reads key's item and its lease in one pass: the item (nil when the item was
// just vivified, empty) and whether this caller won the token to refresh it (Lease.Won),
// another one holds it (Lease.TokenSent), or the item is stale (Lease.Stale). A miss
// without req.Vivify is ErrCacheMiss.
func (c *Client) GetLease(key string, req LeaseReq) (item *Item, l Lease, err error) {
	err = c.with(func(s *Session) error {
		if l, err = s.MetaLease([]byte(key), req); err != nil {
			return err
		}
		if l.Created {
			return nil
		}
		item, err = s.getItem(key, false, 0)
		return err
	})
	return item, l, err
}

// Invalidate marks key's item stale rather than deleting it (memcached's md I): readers
// keep getting the old value, and the next GetLease wins the token to refresh it.
func (c *Client) Invalidate(key string) error {
	return c.with(func(s *Session) error { return s.Invalidate([]byte(key), 0, nil) })
}
