package protocol

import (
	"github.com/plibcached/plibcached/plib"
)

// processMdelete runs md: memcached's process_mdelete_command. With I the item is not
// deleted but marked stale (with a new CAS id, T's expiry if given, and its win token
// handed out again: the next mg wins it). A CAS-checked delete (C) runs as a
// compare-and-swap to an already-expired empty item, which the store reclaims lazily.
func (c *conn) processMdelete() {
	tk := &c.tk
	nt := tk.n
	if nt < 3 {
		c.outString(rError)
		return
	}
	if len(tk.t[1]) > keyMaxLength {
		c.outString(rBadFormat)
		return
	}
	if nt > mflagMaxOptLength {
		c.outString("CLIENT_ERROR options flags too long")
		return
	}
	var of metaFlags
	errstr := rBadFormat
	key, ok := c.preparse(2, &of, &errstr, "")
	if !ok {
		c.outErrString("CLIENT_ERROR invalid or duplicate flag")
		return
	}
	c.noreply = of.noReply
	c.counters.cmdMeta.Add(1)
	base := len(c.out)
	o := append(c.out, "HD"...) // the status is filled in below
	for i := 2; i < nt-1; i++ {
		switch tok := tk.t[i]; tok[0] {
		case 'O':
			if o, ok = appendOpaque(o, tok); !ok {
				c.outErrString("CLIENT_ERROR opaque token too long")
				return
			}
		case 'k':
			o = appendKeyFlag(o, key, of.keyBinary)
		}
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
		c.outErrString("SERVER_ERROR " + err.Error())
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
