package protocol

import (
	"strconv"

	"github.com/plibcached/plibcached/plib"
)

// processMset runs ms: memcached's process_mset_command, then _finalize_mset once the
// data is read. With I and C, a CAS id older than the item's stores the value all the
// same, marked stale, keeping the item's expiry and win token.
func (c *conn) processMset() {
	tk := &c.tk
	nt := tk.n
	if !c.metaOpen(&msShape, nt == 3) {
		return
	}
	vlen, ok := safeStrtol(tk.t[2])
	if !ok || vlen < 0 || vlen > maxInt32-2 {
		c.outErrString(rBadFormat)
		return
	}
	n := int(vlen) + 2
	c.counters.cmdMeta.Add(1)
	var of metaFlags
	key, errstr, ok := c.metaParse(&msShape, 3, &of)
	if !ok {
		c.msetFail(errstr, n)
		return
	}
	key = c.keyBuf[:copy(c.keyBuf[:], key)] // the line goes when the data is read
	c.noreply = of.noReply
	opaqueErr := c.msetStash()
	mode, ok := msetMode(&of)
	if !ok {
		c.msetFail("CLIENT_ERROR invalid mode for ms M token", n)
		return
	}
	if opaqueErr {
		c.msetFail("CLIENT_ERROR opaque token too long", n)
		return
	}
	if c.tooLarge(len(key), n) {
		c.counters.storeTooLarge.Add(1)
		c.deleteQuietly(key) // memcached unlinks the old item whatever the mode
		c.msetFail(rTooLarge, n)
		return
	}
	c.nread = nread{kind: nreadMset, mode: mode, n: n, key: key, of: of}
	c.readNread()
}

// completeMset finishes ms once its data (the value and CRLF) is read.
func (c *conn) completeMset(data []byte) {
	nr := &c.nread
	n := len(data)
	if data[n-2] != '\r' || data[n-1] != '\n' {
		c.outErrString(rBadChunk)
		return
	}
	cas, err := c.msetStore(nr.mode, nr.key, data[:n-2], &nr.of)
	if err == errNoSession {
		return
	}
	c.msetFinish(c.storeReply(nr.mode, err), nr.key, &nr.of, cas)
}

// msetStash stashes the flags ms's reply echoes (O, k, c), as memcached stashes them in
// its write buffer, and reports an opaque too long.
func (c *conn) msetStash() (opaqueErr bool) {
	tk := &c.tk
	c.stash = c.stash[:0]
	for i := 2; i < tk.n-1; i++ {
		switch tok := tk.t[i]; tok[0] {
		case 'O':
			if len(tok) > mflagMaxOpaqueLength {
				opaqueErr = true
				continue
			}
			c.stash = append(c.stash, ' ')
			c.stash = append(c.stash, tok...)
		case 'k', 'c':
			c.stash = append(c.stash, ' ', tok[0])
		}
	}
	return opaqueErr
}

// msetMode is the store mode of ms's M flag (a C makes set and replace a cas).
func msetMode(of *metaFlags) (plib.StoreMode, bool) {
	mode := plib.ModeSet
	switch of.mode {
	case 0, 'S':
	case 'E':
		mode = plib.ModeAdd
	case 'A':
		mode = plib.ModeAppend
	case 'P':
		mode = plib.ModePrepend
	case 'R':
		mode = plib.ModeReplace
	default:
		return mode, false
	}
	if of.hasCAS && (mode == plib.ModeSet || mode == plib.ModeReplace) {
		mode = plib.ModeCAS
	}
	return mode, true
}

// msetFail replies errstr and swallows the n bytes of data.
func (c *conn) msetFail(errstr string, n int) {
	c.outErrString(errstr)
	if c.swallow(n) != nil {
		c.quit = true
	}
}

// msetStore stores the value; a CAS-checked append or prepend runs as a read and a
// compare-and-swap of the joined value (the store's append takes no CAS).
func (c *conn) msetStore(mode plib.StoreMode, key, value []byte, of *metaFlags) (uint64, error) {
	s := c.acquire()
	if s == nil {
		return 0, errNoSession
	}
	defer c.release(s)
	cas := of.reqCAS
	if c.srv.cfg.CASDisabled && of.hasCAS { // -C: no item has the id asked for
		cas, of.setStale = casNone, false
	}
	switch {
	case mode == plib.ModeCAS && cas == 0:
		cas = casNone
	case (mode == plib.ModeAppend || mode == plib.ModePrepend) && cas != 0:
		return c.appendCAS(s, mode, key, value, cas)
	case mode == plib.ModeCAS && of.setStale:
		return s.StoreStale(key, value, of.clientFlags, of.exptime, cas)
	}
	return s.Store(mode, key, value, of.clientFlags, of.exptime, cas)
}

// appendCAS appends (or prepends) value to key's value if the item's CAS id is cas.
func (c *conn) appendCAS(s Session, mode plib.StoreMode, key, value []byte, cas uint64) (uint64, error) {
	m, err := c.readValue(s, key)
	switch {
	case err == plib.ErrCacheMiss || err == plib.ErrMalformedKey:
		return 0, plib.ErrNotStored
	case err != nil:
		return 0, err
	case m.CAS != cas:
		return 0, plib.ErrCASConflict
	case c.tooLarge(len(key), m.Len+len(value)+2):
		return 0, plib.ErrNotStored
	}
	old := c.scratch[:m.Len]
	joined := make([]byte, 0, m.Len+len(value))
	if mode == plib.ModeAppend {
		joined = append(append(joined, old...), value...)
	} else {
		joined = append(append(joined, value...), old...)
	}
	newCAS, err := s.Store(plib.ModeCAS, key, joined, m.Flags, int32(m.Exp), cas)
	if err == plib.ErrCacheMiss {
		err = plib.ErrNotStored
	}
	return newCAS, err
}

// readValue reads key's value into c.scratch, growing it to fit.
func (c *conn) readValue(s Session, key []byte) (plib.Meta, error) {
	for {
		m, err := s.GetInto(key, c.scratch[:cap(c.scratch)])
		if err != plib.ErrBufferTooSmall {
			return m, err
		}
		c.scratch = make([]byte, m.Len+64)
	}
}

// msetFinish appends ms's reply: the status and the stashed flags (HD is dropped by q).
func (c *conn) msetFinish(status string, key []byte, of *metaFlags, cas uint64) {
	code := ""
	switch status {
	case "STORED":
		if c.noreply {
			return
		}
		code = "HD"
	case "EXISTS":
		code = "EX"
	case "NOT_FOUND":
		code = "NF"
	case "NOT_STORED":
		code = "NS"
	default:
		c.outErrString(status)
		return
	}
	o := append(c.out, code...)
	st := c.stash
	for i := 0; i < len(st); i++ {
		switch st[i] {
		case 'O':
			j := i
			for j < len(st) && st[j] != ' ' {
				j++
			}
			o = append(o, ' ')
			o = append(o, st[i:j]...)
			i = j
		case 'k':
			o = appendKeyFlag(o, key, of.keyBinary)
		case 'c':
			o = append(o, " c"...)
			o = strconv.AppendUint(o, c.casOut(cas), 10)
		}
	}
	c.out = append(o, "\r\n"...)
}
