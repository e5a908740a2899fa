package protocol

import (
	"strconv"

	"github.com/plibcached/plibcached/plib"
)

// processArith runs incr and decr: memcached's process_arithmetic_command.
func (c *conn) processArith(incr bool) {
	tk := &c.tk
	c.setNoreplyMaybe()
	key := tk.t[1]
	if len(key) > keyMaxLength {
		c.outString(rBadFormat)
		return
	}
	delta, ok := safeStrtoull(tk.t[2])
	if !ok {
		c.outString("CLIENT_ERROR invalid numeric delta argument")
		return
	}
	s := c.acquire()
	if s == nil {
		return
	}
	var v uint64
	var err error
	if incr {
		v, err = s.Incr(key, delta)
	} else {
		v, err = s.Decr(key, delta)
	}
	c.release(s)
	switch err {
	case nil:
		if !c.noreply {
			c.out = strconv.AppendUint(c.out, v, 10)
			c.out = append(c.out, "\r\n"...)
		}
	case plib.ErrCacheMiss, plib.ErrMalformedKey:
		c.outString("NOT_FOUND")
	case plib.ErrNonNumeric:
		c.outString(rNonNumeric)
	case plib.ErrOutOfMemory:
		c.outString(rArithNoMemory)
	default:
		c.outString(c.serverError(err))
	}
}

// processTouch runs touch: memcached's process_touch_command.
func (c *conn) processTouch() {
	tk := &c.tk
	c.setNoreplyMaybe()
	key := tk.t[1]
	if len(key) > keyMaxLength {
		c.outString(rBadFormat)
		return
	}
	exptime, ok := safeStrtol(tk.t[2])
	if !ok {
		c.outString(rBadExptime)
		return
	}
	s := c.acquire()
	if s == nil {
		return
	}
	err := s.Touch(key, exptime)
	c.release(s)
	switch err {
	case nil:
		c.outString("TOUCHED")
	case plib.ErrCacheMiss, plib.ErrMalformedKey:
		c.outString("NOT_FOUND")
	default:
		c.outString(c.serverError(err))
	}
}

// processDelete runs delete: memcached's process_delete_command, which still takes a
// hold time of 0 before noreply.
func (c *conn) processDelete() {
	tk := &c.tk
	nt := tk.n
	if nt > 3 {
		holdIsZero := string(tk.t[2]) == "0"
		setsNoreply := c.setNoreplyMaybe()
		if !(nt == 4 && (holdIsZero || setsNoreply) || nt == 5 && holdIsZero && setsNoreply) {
			c.outString("CLIENT_ERROR bad command line format.  Usage: delete <key> [noreply]")
			return
		}
	}
	key := tk.t[1]
	if len(key) > keyMaxLength {
		c.outString(rBadFormat)
		return
	}
	c.srv.prefixes.record('d', key, false)
	s := c.acquire()
	if s == nil {
		return
	}
	err := s.Delete(key)
	c.release(s)
	switch err {
	case nil:
		c.outString("DELETED")
	case plib.ErrCacheMiss, plib.ErrMalformedKey:
		c.outString("NOT_FOUND")
	default:
		c.outString(c.serverError(err))
	}
}

// processFlushAll runs flush_all [delay] [noreply]: memcached's process_flush_all_command.
// A delay (relative seconds up to 30 days, else a unix time) flushes what was stored
// before then; none, 0 or a negative one flushes now.
func (c *conn) processFlushAll() {
	tk := &c.tk
	c.setNoreplyMaybe()
	if c.srv.cfg.FlushDisabled {
		c.counters.flushRefused.Add(1) // memcached counts it in cmd_flush all the same
		c.outString("CLIENT_ERROR flush_all not allowed")
		return
	}
	var delay int32
	want := 2
	if c.noreply {
		want = 3
	}
	if tk.n != want {
		d, ok := safeStrtol(tk.t[1])
		if !ok {
			c.outString(rBadExptime)
			return
		}
		delay = d
	}
	s := c.acquire()
	if s == nil {
		return
	}
	if delay <= 0 && c.srv.cfg.CASDisabled {
		delay = 1 // -C: the cliff is by time, taking this second's items (memcached's oldest_live)
	}
	err := s.FlushAll(max(delay, 0))
	c.release(s)
	if err != nil {
		c.outString(c.serverError(err))
		return
	}
	c.outString("OK")
}

// processVerbosity accepts memcached's verbosity command; plibd has no verbose logging.
func (c *conn) processVerbosity() {
	c.setNoreplyMaybe()
	if _, ok := safeStrtoul(c.tk.t[1]); !ok {
		c.outString(rBadFormat)
		return
	}
	c.outString("OK")
}

// processShutdown runs "shutdown [graceful]": with Config.Shutdown (memcached's -A) the
// server is asked to stop, gracefully either way, and this connection closes; without it,
// memcached's "ERROR: shutdown not enabled".
func (c *conn) processShutdown() {
	stop := c.srv.cfg.Shutdown
	switch {
	case stop == nil:
		c.outString("ERROR: shutdown not enabled")
	case c.tk.n == 2 || c.tk.n == 3 && string(c.tk.t[1]) == "graceful":
		c.quit = true
		stop()
	default:
		c.outString("CLIENT_ERROR invalid shutdown mode")
	}
}
