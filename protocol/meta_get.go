package protocol

import (
	"strconv"

	"github.com/plibcached/plibcached/plib"
)

// metaHeaderMax bounds an mg status line beside its key: "VA <len>", the numeric flags,
// an opaque of 32 bytes, and the key flag's decorations.
const metaHeaderMax = 512

// processMget runs mg: memcached's process_mget_command, with its anti-stampede tokens:
// N vivifies a missing item and wins, R wins when the item expires within its threshold,
// a stale item (md I, ms I) wins; a win is handed out once (W), later mg's see Z, and a
// stale item shows X. The win is decided atomically in the item (Session.MetaLease).
// u fetches without marking the item fetched or bumping it.
func (c *conn) processMget() {
	tk := &c.tk
	if !c.metaOpen(&mgShape, false) {
		return
	}
	var of metaFlags
	key, errstr, ok := c.metaParse(&mgShape, 2, &of)
	if !ok {
		c.outErrString(errstr)
		return
	}
	c.noreply = of.noReply
	c.counters.cmdMeta.Add(1)

	s := c.acquire()
	if s == nil {
		return
	}
	if long, touch := opaqueTooLong(tk); long {
		c.mgetOpaqueError(s, key, &of, touch)
		return
	}
	reserve := metaHeaderMax + 2*len(key)
	c.noUpdate = of.noUpdate
	defer func() { c.noUpdate = false }()
	var m plib.Meta
	var val int
	var err error
	switch ttlFlags(tk) {
	case 0: // no T
		m, val, err = c.fetch(s, key, false, 0, reserve)
	case 1: // T: touch as it fetches
		m, val, err = c.fetch(s, key, true, of.exptime, reserve)
	default: // t before T: report the old TTL, then touch
		if m, val, err = c.fetch(s, key, false, 0, reserve); err == nil {
			s.Touch(key, of.exptime)
		}
	}
	won := false
	switch {
	case err == plib.ErrCacheMiss && of.vivify:
		var l plib.Lease
		if l, err = s.MetaLease(key, plib.LeaseReq{Vivify: true, VivifyExptime: int64(of.autoviv)}); err == nil {
			m, won = l.Meta, l.Won
		}
	case err == nil && (of.hasRecache || m.Stale && !m.TokenSent):
		req := plib.LeaseReq{Recache: of.hasRecache, RecacheExptime: int64(of.recache)}
		if l, lerr := s.MetaLease(key, req); lerr == nil {
			m.Stale, m.TokenSent, won = l.Stale, l.TokenSent, l.Won
		}
	}
	c.release(s)
	switch err {
	case nil:
		c.mgetHit(key, &of, m, val, won)
	case plib.ErrCacheMiss, plib.ErrMalformedKey:
		c.mgetMiss(key, &of)
	default:
		c.outErrString(c.serverError(err))
	}
}

// opaqueTooLong reports whether an O flag is too long, and whether a T flag comes before
// it.
func opaqueTooLong(tk *tokens) (long, touch bool) {
	for i := 2; i < tk.n-1; i++ {
		switch tk.t[i][0] {
		case 'T':
			touch = true
		case 'O':
			if len(tk.t[i]) > mflagMaxOpaqueLength {
				return true, touch
			}
		}
	}
	return false, false
}

// mgetOpaqueError replies mg's error for a too long opaque, after doing to the item what
// memcached does before it finds the error: with h, l or T (which make memcached lock the
// item and bump it only at the end) only a T before the opaque; otherwise a fetch.
func (c *conn) mgetOpaqueError(s Session, key []byte, of *metaFlags, touch bool) {
	locked := false
	for i := 2; i < c.tk.n-1; i++ {
		switch c.tk.t[i][0] {
		case 'h', 'l', 'T':
			locked = true
		}
	}
	switch {
	case locked && touch:
		s.Touch(key, of.exptime)
	case !locked:
		base := len(c.out)
		c.fetch(s, key, false, 0, metaHeaderMax+2*len(key))
		c.out = c.out[:base]
	}
	c.release(s)
	c.outErrString("CLIENT_ERROR opaque token too long")
}

// ttlFlags reports 0 without a T flag, 1 with one, 2 with a t flag before it.
func ttlFlags(tk *tokens) int {
	t := false
	for i := 2; i < tk.n-1; i++ {
		switch tk.t[i][0] {
		case 'O':
			if len(tk.t[i]) > mflagMaxOpaqueLength {
				return 0 // memcached stops at it, with an error, before a T after it
			}
		case 't':
			t = true
		case 'T':
			if t {
				return 2
			}
			return 1
		}
	}
	return 0
}

// mgetHit appends mg's reply for a hit whose value lies val bytes past the output's end,
// with the lease marks (Z, X, and W if won).
func (c *conn) mgetHit(key []byte, of *metaFlags, m plib.Meta, val int, won bool) {
	tk := &c.tk
	base := len(c.out)
	o := c.out
	if of.value {
		o = append(o, "VA "...)
		o = strconv.AppendUint(o, uint64(m.Len), 10)
	} else {
		o = append(o, "HD"...)
	}
	now := c.srv.be.Now()
	exp := m.Exp
	for i := 2; i < tk.n-1; i++ {
		tok := tk.t[i]
		switch tok[0] {
		case 'T':
			exp = realtime(of.exptime, now)
		case 's':
			o = append(o, " s"...)
			o = strconv.AppendUint(o, uint64(m.Len), 10)
		case 't':
			o = appendTTL(o, exp, now)
		case 'c':
			o = append(o, " c"...)
			o = strconv.AppendUint(o, c.casOut(m.CAS), 10)
		case 'f':
			o = append(o, " f"...)
			o = strconv.AppendUint(o, uint64(m.Flags), 10)
		case 'l':
			o = append(o, " l"...)
			o = strconv.AppendUint(o, uint64(uint32(now-m.LastAccess)), 10)
		case 'h':
			if m.Fetched {
				o = append(o, " h1"...)
			} else {
				o = append(o, " h0"...)
			}
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
	}
	if m.TokenSent { // memcached's order: Z, X, then W
		o = append(o, " Z"...)
	}
	if m.Stale {
		o = append(o, " X"...)
	}
	if won {
		o = append(o, " W"...)
	}
	o = append(o, "\r\n"...)
	if of.value {
		n := len(o)
		o = o[:n+m.Len]
		copy(o[n:], o[base+val:base+val+m.Len])
		o = append(o, "\r\n"...)
	}
	c.out = o
}

// mgetMiss appends mg's reply for a miss: EN with the opaque and key, unless q.
func (c *conn) mgetMiss(key []byte, of *metaFlags) {
	base := len(c.out)
	o, ok := c.appendEcho(append(c.out, "EN"...), key, of)
	if !ok {
		c.out = c.out[:base]
		c.outErrString("CLIENT_ERROR opaque token too long")
		return
	}
	if c.noreply {
		c.out = c.out[:base]
		return
	}
	c.out = append(o, "\r\n"...)
}

// appendTTL appends " t<seconds left>", or " t-1" for an item that never expires, as
// memcached prints it (unsigned 32-bit arithmetic).
func appendTTL(o []byte, exp, now int64) []byte {
	if exp == 0 {
		return append(o, " t-1"...)
	}
	o = append(o, " t"...)
	return strconv.AppendUint(o, uint64(uint32(exp-now)), 10)
}

// realtime is the store's reading of an exptime at time now: 0 never, negative already
// expired (1, long past), up to 30 days relative, else a unix time.
func realtime(exptime int32, now int64) int64 {
	switch {
	case exptime == 0:
		return 0
	case exptime < 0:
		return 1
	case exptime <= 60*60*24*30:
		return now + int64(exptime)
	}
	return int64(exptime)
}
