package protocol

import (
	"github.com/plibcached/plibcached/plib"
)

// casNone stands for a cas id of 0, which memcached compares as "no match" (EXISTS when
// the item is there, NOT_FOUND when it is not) and our store refuses: no item's CAS id
// ever reaches 2^64-1, so a cas with it behaves the same.
const casNone = 1<<64 - 1

// itemOverhead is what memcached adds to a value when it sizes an item against -I: a
// 48-byte header, the 8-byte CAS id, and the key's NUL; the CRLF is in the data length.
const itemOverhead = 48 + 8 + 1

// tooLarge reports whether a key of nkey bytes and ndata bytes of data (the value and
// its CRLF) make an item larger than memcached's item_size_max allows.
func (c *conn) tooLarge(nkey, ndata int) bool {
	return nkey+ndata+itemOverhead > c.srv.cfg.ItemSizeMax
}

// processUpdate runs set, add, replace, append, prepend and cas: memcached's
// process_update_command and, once the data is read, complete_nread_ascii.
func (c *conn) processUpdate(mode plib.StoreMode, handleCAS bool) {
	tk := &c.tk
	c.setNoreplyMaybe()
	key := tk.t[1]
	if len(key) > keyMaxLength {
		c.outString(rBadFormat)
		return
	}
	flags, ok1 := safeStrtoul(tk.t[2])
	exptime, ok2 := safeStrtol(tk.t[3])
	vlen, ok3 := safeStrtol(tk.t[4])
	if !ok1 || !ok2 || !ok3 {
		c.outString(rBadFormat)
		return
	}
	var reqCAS uint64
	if handleCAS {
		var ok bool
		if reqCAS, ok = safeStrtoull(tk.t[5]); !ok {
			c.outString(rBadFormat)
			return
		}
		if reqCAS == 0 || c.srv.cfg.CASDisabled {
			reqCAS = casNone
		}
	}
	if vlen < 0 || vlen > maxInt32-2 {
		c.outString(rBadFormat)
		return
	}
	n := int(vlen) + 2
	key = c.keyBuf[:copy(c.keyBuf[:], key)] // the line goes when the data is read
	c.srv.prefixes.record('s', key, false)
	if c.tooLarge(len(key), n) {
		c.outString(rTooLarge)
		c.counters.storeTooLarge.Add(1)
		if mode == plib.ModeSet {
			c.deleteQuietly(key) // memcached: a failed set leaves no stale value behind
		}
		if c.swallow(n) != nil {
			c.quit = true
		}
		return
	}
	c.nread = nread{kind: nreadUpdate, mode: mode, n: n, key: key, flags: flags, exptime: exptime, cas: reqCAS}
	c.readNread()
}

// completeUpdate finishes a storage command once its data (the value and CRLF) is read.
func (c *conn) completeUpdate(data []byte) {
	nr := &c.nread
	n := len(data)
	if data[n-2] != '\r' || data[n-1] != '\n' {
		c.outString(rBadChunk)
		return
	}
	s := c.acquire()
	if s == nil {
		return
	}
	_, err := s.Store(nr.mode, nr.key, data[:n-2], nr.flags, nr.exptime, nr.cas)
	c.release(s)
	c.outString(c.storeReply(nr.mode, err))
}

// storeReply is the reply to a storage command that ended with err.
func (c *conn) storeReply(mode plib.StoreMode, err error) string {
	switch err {
	case nil:
		return "STORED"
	case plib.ErrNotStored:
		return "NOT_STORED"
	case plib.ErrCASConflict:
		return "EXISTS"
	case plib.ErrCacheMiss:
		return "NOT_FOUND"
	case plib.ErrValueTooLarge, plib.ErrOutOfMemory:
		if mode == plib.ModeAppend || mode == plib.ModePrepend {
			return "NOT_STORED" // memcached: the joined item could not be allocated
		}
		if err == plib.ErrValueTooLarge {
			c.counters.storeTooLarge.Add(1)
			return rTooLarge
		}
		c.counters.storeNoMemory.Add(1)
		return rNoMemory
	case plib.ErrMalformedKey:
		// Not met: the protocol refuses keys over 250 bytes before the store sees them,
		// and the store holds every other key memcached does (control bytes included).
		switch mode {
		case plib.ModeReplace, plib.ModeAppend, plib.ModePrepend:
			return "NOT_STORED"
		case plib.ModeCAS:
			return "NOT_FOUND"
		}
		return rBadFormat
	}
	return c.serverError(err)
}

// deleteQuietly removes key, whatever it finds.
func (c *conn) deleteQuietly(key []byte) {
	if s, err := c.session(); err == nil {
		s.Unlink(key)
		c.release(s)
	}
}
