package protocol

import (
	"strconv"
	"sync"

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
	mark := len(c.out)
	s := c.acquire()
	if s == nil {
		return
	}
	it := newKeyIter(tk, first)
	for {
		key, ok := it.next()
		if !ok || len(key) > keyMaxLength {
			break
		}
		if err := c.getOne(s, key, returnCAS, touch, exptime, bad); err != nil {
			c.release(s)
			c.out = c.out[:mark]
			c.outString("SERVER_ERROR " + err.Error())
			return
		}
		if !bad && len(c.out) >= flushThreshold {
			// Never hold a session across network I/O.
			c.release(s)
			if c.flush() != nil {
				return
			}
			mark = 0
			if s = c.acquire(); s == nil {
				return
			}
		}
	}
	c.release(s)
	if bad {
		c.out = c.out[:mark]
		c.outString(rBadFormat)
		return
	}
	c.out = append(c.out, "END\r\n"...)
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
		o = strconv.AppendUint(o, m.CAS, 10)
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
// The buffer grows until the value fits. A fetch into too short a buffer still counts as
// a fetch in plib (it marks the item fetched and bumps it): the item's state before it
// (Fetched, LastAccess) is taken from that first fetch. A touch cannot be repeated (the
// first may have expired the item), so gat reads into a buffer that holds any value.
func (c *conn) fetch(s Session, key []byte, touch bool, exptime int32, reserve int) (plib.Meta, int, error) {
	if touch {
		return c.fetchTouch(s, key, exptime, reserve)
	}
	c.reserve(reserve + 4096)
	var first plib.Meta
	retried := false
	for {
		base := len(c.out)
		m, err := s.GetInto(key, c.out[base+reserve:cap(c.out)-2])
		if err != plib.ErrBufferTooSmall {
			if retried && err == nil {
				m.Fetched, m.LastAccess = first.Fetched, first.LastAccess
			}
			return m, reserve, err
		}
		if !retried {
			first, retried = m, true
		}
		c.reserve(reserve + m.Len + 2)
	}
}

// bigBuffers hold a value of any size for a touching fetch.
var bigBuffers sync.Pool

func (c *conn) fetchTouch(s Session, key []byte, exptime int32, reserve int) (plib.Meta, int, error) {
	size := c.srv.cfg.ItemSizeMax
	bp, _ := bigBuffers.Get().(*[]byte)
	if bp == nil || len(*bp) < size {
		b := make([]byte, size)
		bp = &b
	}
	defer bigBuffers.Put(bp)
	m, err := s.GetAndTouchInto(key, exptime, *bp)
	if err == plib.ErrBufferTooSmall { // the store holds larger items than ItemSizeMax
		c.reserve(reserve + m.Len + 2)
		m2, err := s.GetInto(key, c.out[len(c.out)+reserve:cap(c.out)])
		m2.Fetched, m2.LastAccess = m.Fetched, m.LastAccess
		return m2, reserve, err
	}
	if err != nil {
		return m, reserve, err
	}
	c.reserve(reserve + m.Len + 2)
	base := len(c.out)
	copy(c.out[base+reserve:cap(c.out)], (*bp)[:m.Len])
	return m, reserve, nil
}
