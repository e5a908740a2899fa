package protocol

import (
	"encoding/base64"
	"strconv"

	"github.com/plibcached/plibcached/plib"
)

// processMe runs "me KEY [b]": memcached's meta debug command, one line of the item's
// internals without fetching or bumping it: "ME key exp=<seconds past expiry, -1 never>
// la=<seconds since last access> cas=<id> fetch=<yes|no> cls=<slab class> size=<bytes>",
// with the class and size of plibd's store; EN on a miss.
func (c *conn) processMe() {
	tk := &c.tk
	if tk.n < 3 || len(tk.t[1]) > keyMaxLength {
		c.outString(rBadFormat)
		return
	}
	key, binary := tk.t[1], false
	if tk.n >= 4 && string(tk.t[2]) == "b" {
		n := base64Decode(key, c.keyBuf[:])
		if n == 0 {
			c.outString(rBadFormat)
			return
		}
		key, binary = c.keyBuf[:n], true
	}
	c.counters.cmdMeta.Add(1)
	s := c.acquire()
	if s == nil {
		return
	}
	m, cls, err := s.Peek(key)
	c.release(s)
	if err != nil {
		c.outString("EN")
		return
	}
	now := c.srv.be.Now()
	o := append(c.out, "ME "...)
	if binary {
		o = base64.StdEncoding.AppendEncode(o, key)
	} else {
		o = append(o, key...)
	}
	o = append(o, " exp="...)
	if m.Exp == 0 {
		o = append(o, "-1"...)
	} else {
		o = strconv.AppendInt(o, int64(int32(now-m.Exp)), 10)
	}
	o = append(o, " la="...)
	o = strconv.AppendUint(o, uint64(uint32(now-m.LastAccess)), 10)
	o = append(o, " cas="...)
	o = strconv.AppendUint(o, c.casOut(m.CAS), 10)
	if m.Fetched {
		o = append(o, " fetch=yes"...)
	} else {
		o = append(o, " fetch=no"...)
	}
	o = append(o, " cls="...)
	o = strconv.AppendInt(o, int64(cls), 10)
	o = append(o, " size="...)
	o = strconv.AppendInt(o, int64(plib.ItemSize(len(key), m.Len)), 10)
	c.out = append(o, "\r\n"...)
}
