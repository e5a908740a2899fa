package protocol

import (
	"github.com/plibcached/plibcached/plib"
)

// processMdelete runs md: memcached's process_mdelete_command. With I the item is not
// deleted but marked stale (with a new CAS id, T's expiry if given, and its win token
// handed out again: the next mg wins it). A CAS-checked delete (C) runs as a
// compare-and-swap to an already-expired empty item, which the store reclaims lazily.
func (c *conn) processMdelete() {
	if !c.metaOpen(&mdShape, false) {
		return
	}
	var of metaFlags
	key, errstr, ok := c.metaParse(&mdShape, 2, &of)
	if !ok {
		c.outErrString(errstr)
		return
	}
	c.casFilter(&of)
	c.noreply = of.noReply
	c.counters.cmdMeta.Add(1)
	base := len(c.out)
	o, ok := c.appendEcho(append(c.out, "HD"...), key, &of) // the status is filled in below
	if !ok {
		c.outErrString("CLIENT_ERROR opaque token too long")
		return
	}
	c.out = o
	s := c.acquire()
	if s == nil {
		c.out = c.out[:base]
		return
	}
	var err error
	if of.setStale {
		err = c.invalidate(s, key, &of)
	} else if of.hasCAS {
		cas := of.reqCAS
		if cas == 0 {
			cas = casNone
		}
		_, err = s.Store(plib.ModeCAS, key, nil, 0, -1, cas)
	} else {
		err = s.Delete(key)
	}
	c.release(s)
	status := "HD"
	switch err {
	case nil:
		if c.noreply {
			c.out = c.out[:base]
			return
		}
	case plib.ErrCASConflict:
		status = "EX"
	case plib.ErrCacheMiss, plib.ErrMalformedKey:
		status = "NF"
	default:
		c.out = c.out[:base]
		c.outErrString(c.serverError(err))
		return
	}
	copy(c.out[base:], status)
	c.out = append(c.out, "\r\n"...)
}

// invalidate is md I: mark key's item stale (see processMdelete).
func (c *conn) invalidate(s Session, key []byte, of *metaFlags) error {
	var cas uint64
	if of.hasCAS {
		cas = of.reqCAS
		if cas == 0 {
			cas = casNone
		}
	}
	var exp *int32
	if of.newTTL {
		exp = &of.exptime
	}
	return s.Invalidate(key, cas, exp)
}
