package protocol

import (
	"bytes"
	"strconv"

	"github.com/plibcached/plibcached/plib"
)

// arithResult is what ma did: the item it left (hit or created) with its value, CAS id
// and expiry, or the status of a miss (NF) or CAS mismatch (EX).
type arithResult struct {
	item, created bool
	status        string
	value         uint64
	cas           uint64
	exp           int64 // the item's expiry before the flags change it (0 if created)
}

// processMarith runs ma: memcached's process_marithmetic_command. It runs as a read, then
// a compare-and-swap of the new number (retried if the item changed in between), so that
// it can check a CAS id (C), set a TTL (T), create the item (N, J) and report the new
// CAS id and TTL (c, t) atomically, which the store's incr cannot.
func (c *conn) processMarith() {
	if !c.metaOpen(&maShape, false) {
		return
	}
	of := metaFlags{delta: 1}
	key, errstr, ok := c.metaParse(&maShape, 2, &of)
	if !ok {
		c.outErrString(errstr)
		return
	}
	c.casFilter(&of)
	c.noreply = of.noReply
	c.counters.cmdMeta.Add(1)
	incr := true
	switch of.mode {
	case 0, 'I', '+':
	case 'D', '-':
		incr = false
	default:
		c.outErrString("CLIENT_ERROR invalid mode for ma M token")
		return
	}
	s := c.acquire()
	if s == nil {
		return
	}
	res, errstr := c.marith(s, key, incr, &of)
	c.release(s)
	switch {
	case errstr != "" || res.created || res.status == "EX":
	case res.item:
		c.counters.countArith(incr, nil)
	default:
		c.counters.countArith(incr, plib.ErrCacheMiss)
	}
	if errstr != "" {
		c.outErrString(errstr)
		return
	}
	c.marithReply(key, &of, &res)
}

// marith applies the delta, or creates the item; errstr is an error reply.
func (c *conn) marith(s Session, key []byte, incr bool, of *metaFlags) (res arithResult, errstr string) {
	for {
		m, err := c.readValue(s, key)
		switch {
		case err == plib.ErrCacheMiss || err == plib.ErrMalformedKey:
			if !of.vivify {
				return arithResult{status: "NF"}, ""
			}
			digits := strconv.AppendUint(c.scratch[:0], of.initial, 10)
			cas, err := s.Store(plib.ModeAdd, key, digits, 0, c.finalExptime(of, true, 0), 0)
			switch err {
			case nil:
				return arithResult{item: true, created: true, value: of.initial, cas: cas}, ""
			case plib.ErrNotStored:
				continue // created meanwhile: apply the delta to it
			case plib.ErrOutOfMemory, plib.ErrValueTooLarge:
				return res, "SERVER_ERROR Out of memory allocating new item"
			}
			return res, c.serverError(err)
		case err != nil:
			return res, c.serverError(err)
		case m.Len == 0:
			return res, rNonNumeric
		case of.hasCAS && of.reqCAS != 0 && m.CAS != of.reqCAS:
			return arithResult{status: "EX"}, ""
		}
		v, ok := parseCounter(c.scratch[:m.Len])
		if !ok {
			return res, rNonNumeric
		}
		switch {
		case incr:
			v += of.delta
		case of.delta > v:
			v = 0
		default:
			v -= of.delta
		}
		// memcached rewrites a number that fits in place, padded with spaces, and applies
		// T to it; a longer one goes in a new item, and T changes the old one (which it
		// then reports for t) but not the new: 1.6.18 behaves so, and so does plibd.
		var buf [24]byte
		digits := strconv.AppendUint(buf[:0], v, 10)
		nv, exptime := digits, int32(m.Exp)
		if len(digits) <= m.Len {
			nv = c.scratch[:m.Len]
			copy(nv[copy(nv, digits):], bytes.Repeat([]byte{' '}, m.Len-len(digits)))
			exptime = c.finalExptime(of, false, m.Exp)
		}
		cas, err := s.Store(plib.ModeCAS, key, nv, m.Flags, exptime, m.CAS)
		switch err {
		case nil:
			return arithResult{item: true, value: v, cas: cas, exp: m.Exp}, ""
		case plib.ErrCASConflict, plib.ErrCacheMiss:
			continue // changed meanwhile: start over
		case plib.ErrOutOfMemory, plib.ErrValueTooLarge:
			return res, rArithNoMemory
		}
		return res, c.serverError(err)
	}
}

// finalExptime is the exptime the item ends with: its own (exp, a unix time or 0; 0 for a
// created one), then T's, then N's if it was created, in the order the flags come, up to
// an opaque too long (memcached stops there).
func (c *conn) finalExptime(of *metaFlags, created bool, exp int64) int32 {
	e := int32(exp)
	if of.text {
		return e
	}
	for i := 2; i < c.tk.n-1; i++ {
		switch c.tk.t[i][0] {
		case 'O':
			if len(c.tk.t[i]) > mflagMaxOpaqueLength {
				return e // memcached stops at it, with an error
			}
		case 'T':
			e = of.exptime
		case 'N':
			if created {
				e = of.autoviv
			}
		}
	}
	return e
}

// parseCounter reads a value as memcached's do_add_delta does: safe_strtoull over the
// item's data, which a CRLF (or a NUL in the value) ends.
func parseCounter(v []byte) (uint64, bool) {
	if i := bytes.IndexByte(v, 0); i >= 0 {
		v = v[:i]
	}
	return safeStrtoull(v)
}

// marithReply appends ma's reply (HD is dropped by q when an existing item was changed).
func (c *conn) marithReply(key []byte, of *metaFlags, res *arithResult) {
	tk := &c.tk
	base := len(c.out)
	o := c.out
	var buf [24]byte
	digits := strconv.AppendUint(buf[:0], res.value, 10)
	switch {
	case !res.item:
		o = append(o, res.status...)
	case of.value:
		o = append(o, "VA "...)
		o = strconv.AppendUint(o, uint64(len(digits)), 10)
	default:
		o = append(o, "HD"...)
	}
	now := c.srv.be.Now()
	exp := res.exp // the expiry as the flags are read in order, for t
	for i := 2; i < tk.n-1; i++ {
		tok := tk.t[i]
		switch tok[0] {
		case 'O':
			var ok bool
			if o, ok = appendOpaque(o, tok); !ok {
				c.out = c.out[:base]
				c.outErrString("CLIENT_ERROR opaque token too long")
				return
			}
		case 'k':
			o = appendKeyFlag(o, key, of.keyBinary)
		}
		if !res.item {
			continue
		}
		switch tok[0] {
		case 'c':
			o = append(o, " c"...)
			o = strconv.AppendUint(o, c.casOut(res.cas), 10)
		case 't':
			o = appendTTL(o, exp, now)
		case 'T':
			exp = realtime(of.exptime, now)
		case 'N':
			if res.created {
				exp = realtime(of.autoviv, now)
			}
		}
	}
	if res.item && !res.created && c.noreply {
		return // q drops HD for an item changed (not for one created, nor for NF or EX)
	}
	o = append(o, "\r\n"...)
	if res.item && of.value {
		o = append(o, digits...)
		o = append(o, "\r\n"...)
	}
	c.out = o
}
