package protocol

import (
	"bytes"
	"errors"

	"github.com/plibcached/plibcached/plib"
)

// Replies shared by several commands.
const (
	rError         = "ERROR"
	rBadFormat     = "CLIENT_ERROR bad command line format"
	rBadChunk      = "CLIENT_ERROR bad data chunk"
	rTooLarge      = "SERVER_ERROR object too large for cache"
	rNoMemory      = "SERVER_ERROR out of memory storing object"
	rBadExptime    = "CLIENT_ERROR invalid exptime argument"
	rNonNumeric    = "CLIENT_ERROR cannot increment or decrement non-numeric value"
	rArithNoMemory = "SERVER_ERROR out of memory"
)

// process runs one command line, as memcached's process_command_ascii dispatches it.
func (c *conn) process(line []byte) {
	if i := bytes.IndexByte(line, 0); i >= 0 {
		line = line[:i] // memcached's tokenizer stops at the first NUL (strlen)
	}
	tk := &c.tk
	tk.split(line)
	nt := tk.n
	if nt < 2 || len(tk.t[0]) < 2 {
		c.outString(rError)
		return
	}
	cmd := tk.t[0]
	switch cmd[0] {
	case 'm':
		if len(cmd) == 2 {
			c.processMeta(cmd[1])
			return
		}
		c.processOther(cmd)
	case 'g':
		c.processGetFamily(cmd)
	case 's':
		switch string(cmd) {
		case "set":
			c.update(plib.ModeSet, false)
		case "stats":
			c.processStats()
		case "shutdown":
			c.processShutdown()
		case "slabs":
			c.processSlabs()
		default:
			c.outString(rError)
		}
	case 'a':
		switch string(cmd) {
		case "add":
			c.update(plib.ModeAdd, false)
		case "append":
			c.update(plib.ModeAppend, false)
		default:
			c.outString(rError)
		}
	case 'c':
		if string(cmd) == "cas" {
			c.update(plib.ModeCAS, true)
		} else { // cache_memlimit is not served: the segment's size is fixed
			c.outString(rError)
		}
	case 'i':
		c.arith(cmd, "incr")
	case 'd':
		switch string(cmd) {
		case "delete":
			if nt < 3 || nt > 5 {
				c.outString(rError)
				return
			}
			c.processDelete()
		case "debugtime":
			if nt < 3 {
				c.outString(rError)
				return
			}
			c.processDebugtime()
		default:
			c.arith(cmd, "decr")
		}
	case 't':
		if string(cmd) != "touch" || nt != 4 && nt != 5 {
			c.outString(rError)
			return
		}
		c.processTouch()
	default:
		c.processOther(cmd)
	}
}

// processGetFamily runs get, gets, gat and gats (and memcached's ancient bget).
func (c *conn) processGetFamily(cmd []byte) {
	if c.tk.n < 3 {
		c.outString(rError)
		return
	}
	switch string(cmd) {
	case "get":
		c.processGet(false, false)
	case "gets":
		c.processGet(true, false)
	case "gat":
		c.processGet(false, true)
	case "gats":
		c.processGet(true, true)
	default:
		c.outString(rError)
	}
}

// arith runs incr or decr (name) if cmd is it.
func (c *conn) arith(cmd []byte, name string) {
	if string(cmd) != name {
		c.outString(rError)
		return
	}
	if c.tk.n != 4 && c.tk.n != 5 {
		c.outString(rError)
		return
	}
	c.processArith(name == "incr")
}

// processOther runs the commands memcached dispatches by full name.
func (c *conn) processOther(cmd []byte) {
	tk := &c.tk
	nt := tk.n
	switch string(cmd) {
	case "replace":
		c.update(plib.ModeReplace, false)
	case "prepend":
		c.update(plib.ModePrepend, false)
	case "bget":
		c.processGetFamily([]byte("get"))
	case "flush_all":
		if nt > 4 {
			c.outString(rError)
			return
		}
		c.processFlushAll()
	case "version":
		c.outString("VERSION " + c.srv.cfg.Version)
	case "quit":
		c.quit = true
	case "verbosity":
		if nt != 3 && nt != 4 {
			c.outString(rError)
			return
		}
		c.processVerbosity()
	case "lru_crawler":
		c.processLruCrawler()
	case "watch", "lru": // not served (see doc.go)
		c.outString(rError)
	default:
		if bytes.HasPrefix(tk.last(), []byte("HTTP/")) {
			// memcached drops what looks like HTTP at once, with the replies not sent yet.
			c.out = c.out[:0]
			c.quit = true
			return
		}
		c.outString(rError)
	}
}

// update checks a storage command's token count (6, or 7 with noreply; one more for
// cas) and runs it.
func (c *conn) update(mode plib.StoreMode, handleCAS bool) {
	if nt := c.tk.n - btoi(handleCAS); nt != 6 && nt != 7 {
		c.outString(rError)
		return
	}
	c.processUpdate(mode, handleCAS)
}

// processMeta dispatches the two-letter meta commands.
func (c *conn) processMeta(op byte) {
	switch op {
	case 'g':
		c.processMget()
	case 's':
		c.processMset()
	case 'd':
		c.processMdelete()
	case 'a':
		c.processMarith()
	case 'n':
		c.out = append(c.out, "MN\r\n"...)
		c.flush() // mn forces the pending output out, as in memcached
	case 'e':
		c.processMe()
	default:
		c.outString(rError)
	}
}

// errNoSession reports that acquire failed (and replied).
var errNoSession = errors.New("protocol: no session")

// acquire borrows a session for one command; on failure it replies SERVER_ERROR.
func (c *conn) acquire() Session {
	s, err := c.session()
	if err != nil {
		c.noreply = false
		c.outString(c.serverError(err))
		return nil
	}
	return s
}

// session borrows a session for one command: the event loop's own (its client slot), or
// one of the Backend's.
func (c *conn) session() (Session, error) {
	if c.loop != nil {
		return c.loop.session()
	}
	return c.srv.be.Acquire()
}

// release gives back a session session lent.
func (c *conn) release(s Session) {
	if c.loop != nil {
		c.loop.endSession()
		return
	}
	c.srv.be.Release(s)
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}
