package protocol

// memcached's -C (Config.CASDisabled): items have no CAS id. The store keeps its ids (its
// compare-and-swap and crash repair use them); the protocol hides them as memcached
// without CAS answers: every id it prints is 0, a cas or ms C never matches (EXISTS, or
// NOT_FOUND without an item), md and ma C0 match any item and other ids none, and
// flush_all's cliff is by time alone (items stored later in the same second are flushed
// too, as memcached's are).

// casOut is the CAS id to print for v.
func (c *conn) casOut(v uint64) uint64 {
	if c.srv.cfg.CASDisabled {
		return 0
	}
	return v
}

// casFilter makes an md or ma C flag check what memcached checks without CAS ids: C0
// matches any item, other ids none.
func (c *conn) casFilter(of *metaFlags) {
	if !c.srv.cfg.CASDisabled || !of.hasCAS {
		return
	}
	if of.reqCAS == 0 {
		of.hasCAS = false
	} else {
		of.reqCAS = casNone
	}
}
