package protocol

import (
	"strconv"

	"github.com/plibcached/plibcached/plib"
)

// valueHeaderMax bounds "VALUE <key> <flags> <bytes> <cas>\r\n" beside the key.
const valueHeaderMax = len("VALUE ") + 1 + 10 + 1 + 10 + 1 + 20 + 2

// processGet runs get, gets, gat and gats: memcached's process_get_command.
func (c *conn) processGet(returnCAS, touch bool) {
	tk := &c.tk
	first := 1
	var exptime int32
	if touch {
		e, ok := safeStrtol(tk.t[1])
		if !ok {
			c.outString(rBadExptime)
			return
		}
		exptime, first = e, 2
	}
	// memcached stops at the first key over 250 bytes and replies only an error, after
	// fetching (and touching) the keys before it: find it first, so that no output of
	// those keys is sent.
	bad := false
	for it := newKeyIter(tk, first); ; {
		k, ok := it.next()
		if !ok {
			break
		}
		if len(k) > keyMaxLength {
			bad = true
			break
		}
	}
	c.runGet(newKeyIter(tk, first), getParams{returnCAS: returnCAS, touch: touch, exptime: exptime, bad: bad})
}

// getParams are a get command's settings, kept while it is suspended.
type getParams struct {
	returnCAS, touch, bad bool
	exptime               int32
	resumed               bool // the first key is not the command's first
}

// noTokens is a line without tokens: a keyIter over it walks its rest only.
var noTokens tokens

// runGet fetches the keys it walks and appends their replies, then END (or only an error,
// if a key was too long). Every flushThreshold bytes the replies are sent; in an event
// loop, if the socket does not take them all, the get is suspended with the keys left
// (c.pendingGet) and runInput resumes it once they are out, so a multiget's replies take
// no more memory than a batch, whatever their total.
func (c *conn) runGet(it keyIter, p getParams) {
	mark := len(c.out)
	s := c.acquire()
	if s == nil {
		return
	}
	for i := btoi(p.resumed); ; i++ {
		key, ok := it.next()
		if !ok || len(key) > keyMaxLength {
			break
		}
		if i > 0 && !c.respStart() { // Config.ReadBufMemLimit: memcached's resp_start per key
			c.release(s)
			c.out = c.out[:mark]
			c.outString(rOutOfMemoryGet)
			return
		}
		if err := c.getOne(s, key, p.returnCAS, p.touch, p.exptime, p.bad); err != nil {
			c.release(s)
			c.out = c.out[:mark]
			c.outString(c.serverError(err))
			return
		}
		if !p.bad && len(c.out) >= flushThreshold {
			// Never hold a session across network I/O.
			c.release(s)
			if c.flush() != nil {
				return
			}
			if c.loop != nil && len(c.out) > 0 {
				c.suspendGet(&it, p)
				return
			}
			mark = len(c.out)
			if s = c.acquire(); s == nil {
				return
			}
		}
	}
	c.release(s)
	if p.bad {
		c.out = c.out[:mark]
		c.outString(rBadFormat)
		return
	}
	c.out = append(c.out, "END\r\n"...)
}

// pendingGet is a get suspended until its replies so far are sent: the keys left.
type pendingGet struct {
	p    getParams
	rest []byte
}

// suspendGet keeps the keys it has not walked yet, and p, for resumeGet.
func (c *conn) suspendGet(it *keyIter, p getParams) {
	pg := &pendingGet{p: p}
	pg.p.resumed = true
	for {
		k, ok := it.next()
		if !ok {
			break
		}
		pg.rest = append(append(pg.rest, k...), ' ')
	}
	c.pendingGet = pg
}

// resumeGet goes on with a suspended get.
func (c *conn) resumeGet() {
	pg := c.pendingGet
	c.pendingGet = nil
	c.runGet(keyIter{tk: &noTokens, rest: pg.rest}, pg.p)
}

// getOne fetches key and, on a hit, appends its VALUE block unless discard. A miss (or a
// key the store cannot hold) appends nothing.
func (c *conn) getOne(s Session, key []byte, returnCAS, touch bool, exptime int32, discard bool) error {
	reserve := valueHeaderMax + len(key)
	m, val, err := c.fetch(s, key, touch, exptime, reserve)
	c.srv.prefixes.record('g', key, err == nil)
	switch err {
	case nil:
	case plib.ErrCacheMiss, plib.ErrMalformedKey:
		return nil
	default:
		return err
	}
	if discard {
		return nil
	}
	base := len(c.out)
	o := append(c.out, "VALUE "...)
	o = append(o, key...)
	o = append(o, ' ')
	o = strconv.AppendUint(o, uint64(m.Flags), 10)
	o = append(o, ' ')
	o = strconv.AppendUint(o, uint64(m.Len), 10)
	if returnCAS {
		o = append(o, ' ')
		o = strconv.AppendUint(o, c.casOut(m.CAS), 10)
	}
	o = append(o, "\r\n"...)
	n := len(o)
	o = o[:n+m.Len]
	copy(o[n:], o[base+val:base+val+m.Len]) // the value was read past the header's room
	c.out = append(o, "\r\n"...)
	return nil
}

// fetch reads key's value into the output buffer's spare room, reserve bytes past its
// end (room for the header that will precede it), and returns its offset from there.
// The buffer grows until the value fits: a fetch into too short a buffer is refused by the
// store with nothing done (no count, touch, fetched mark or LRU bump; see kv's Get), so
// the retry is the one fetch, touching or not.
func (c *conn) fetch(s Session, key []byte, touch bool, exptime int32, reserve int) (plib.Meta, int, error) {
	c.reserve(reserve + 4096)
	for {
		base := len(c.out)
		dst := c.out[base+reserve : cap(c.out)-2]
		var m plib.Meta
		var err error
		switch {
		case touch:
			m, err = s.GetAndTouchInto(key, exptime, dst)
		case c.noUpdate:
			m, err = s.GetIntoNoUpdate(key, dst)
		default:
			m, err = s.GetInto(key, dst)
		}
		if err != plib.ErrBufferTooSmall {
			return m, reserve, err
		}
		c.reserve(reserve + m.Len + 2)
	}
}
