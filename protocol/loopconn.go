package protocol

import (
	"bytes"

	"golang.org/x/sys/unix"
)

// A connection in an event loop (loop.go): how its input is run and its output sent.

// What runInput stopped at.
const (
	runNeedInput  = iota // every complete command ran: wait for input
	runYield             // -R reached with input left: run again after the others
	runOutputFull        // replies the socket did not take: wait until it does
	runCloseAfter        // quit, or an error memcached closes after: send, then close
	runCloseNow          // close without sending (memcached's conn_closing)
)

// readable reads what c's socket holds (one read, as memcached's try_read_network) and
// runs it.
func (l *eventLoop) readable(c *conn) {
	c.attachInput(l)
	n, err := rawRead(c.lfd, c.rbuf[c.w:])
	if n <= 0 {
		if err == unix.EAGAIN || err == unix.EINTR {
			c.detachInput()
			return
		}
		l.close(c) // EOF or a reset
		return
	}
	c.w += n
	c.counters.bytesRead.Add(uint64(n))
	l.serve(c)
}

// writable sends c's pending replies; once they are all out, c is read and run again.
func (l *eventLoop) writable(c *conn) {
	if c.writeSome() != nil {
		l.close(c)
		return
	}
	if len(c.out) > 0 {
		return
	}
	c.out = nil
	c.blocked = false
	c.respHeld = 0
	if c.closeAfter {
		l.close(c)
		return
	}
	l.modify(c)
	if c.r < c.w || c.pendingGet != nil {
		l.ready = append(l.ready, c) // commands read before it stalled
	}
}

// serve runs c's buffered input and sends the replies.
func (l *eventLoop) serve(c *conn) {
	c.out = l.obuf[:0]
	c.reqs = 0
	c.respLeft, c.respUsed = l.respBudget(c), 0
	st := c.runInput()
	if st == runCloseNow {
		c.out = c.out[:0]
	}
	err := c.writeSome()
	out := c.out
	if cap(out) <= maxIdleBuffer {
		l.obuf = out[:0]
	}
	c.out = nil
	if len(out) > 0 {
		c.out = append(make([]byte, 0, len(out)), out...)
	}
	switch {
	case err != nil || st == runCloseNow || st == runCloseAfter && len(c.out) == 0:
		l.close(c)
		return
	case len(c.out) > 0:
		c.closeAfter = st == runCloseAfter
		c.blocked = true
		c.respHeld = c.respUsed
		l.modify(c)
	case st == runYield || st == runOutputFull:
		l.ready = append(l.ready, c)
	}
	c.detachInput()
}

// attachInput gives c a read buffer with room to read into: its own if it holds
// unfinished input (grown to hold a value it waits for), else the loop's.
func (c *conn) attachInput(l *eventLoop) {
	if c.rbuf == nil {
		c.rbuf, c.r, c.w, c.ownInput = l.rbuf, 0, 0, false
		return
	}
	need := readBufferSize
	if c.nread.kind != nreadNone {
		need = max(need, c.nread.n-(c.w-c.r))
	}
	if c.w+need <= len(c.rbuf) {
		return
	}
	if c.r > 0 && c.w-c.r+need <= len(c.rbuf) {
		c.w = copy(c.rbuf, c.rbuf[c.r:c.w])
		c.r = 0
		return
	}
	nb := make([]byte, max(2*len(c.rbuf), c.w-c.r+need))
	c.w = copy(nb, c.rbuf[c.r:c.w])
	c.rbuf, c.r, c.ownInput = nb, 0, true
	c.trackReadBuf()
}

// detachInput leaves c holding only its unfinished input, in a buffer of its own, or no
// buffer at all.
func (c *conn) detachInput() {
	switch {
	case c.r == c.w:
		c.rbuf, c.r, c.w, c.scanned, c.ownInput = nil, 0, 0, 0, false
		c.untrackReadBuf()
	case !c.ownInput:
		nb := make([]byte, max(readBufferSize, 2*(c.w-c.r)))
		c.w = copy(nb, c.rbuf[c.r:c.w])
		c.rbuf, c.r, c.ownInput = nb, 0, true
		c.trackReadBuf()
	}
}

// runInput runs every complete command in c's input, as memcached's state machine does
// between two reads.
func (c *conn) runInput() int {
	for {
		if c.swallowLeft > 0 {
			k := min(c.swallowLeft, c.w-c.r)
			c.r += k
			if c.swallowLeft -= k; c.swallowLeft > 0 {
				return runNeedInput
			}
		}
		switch {
		case c.pendingGet != nil:
			c.state.Store(stateParseCmd)
			c.resumeGet()
		case c.nread.kind != nreadNone:
			n := c.nread.n
			if c.w-c.r < n {
				return runNeedInput
			}
			data := c.rbuf[c.r : c.r+n]
			c.r += n
			c.state.Store(stateParseCmd)
			c.completeNread(data)
		case c.r == c.w:
			return runNeedInput
		case !c.protoKnown:
			c.protoKnown = true
			bin, refuse := c.srv.cfg.Binding.binaryFirst(c.rbuf[c.r])
			if refuse {
				return runCloseNow
			}
			c.binary = bin
			continue
		case c.binary:
			if c.w-c.r < binaryHeaderLen {
				return runNeedInput
			}
			out, body, ok := appendBinaryRefusal(c.out, c.rbuf[c.r:c.r+binaryHeaderLen])
			if !ok {
				return runCloseNow
			}
			c.out, c.r, c.swallowLeft = out, c.r+binaryHeaderLen, body
			continue
		default:
			line, st := c.nextLine()
			if line == nil {
				return st
			}
			if !c.respStart() {
				return runCloseNow // memcached: no response object, conn_closing
			}
			c.noreply = false
			c.state.Store(stateParseCmd)
			c.lastCmd.Store(c.loop.now)
			c.process(line)
		}
		if c.nread.kind == nreadNone {
			c.state.Store(stateWaiting)
		}
		if c.quit || c.srv.shutdown.Load() {
			return runCloseAfter
		}
		if c.pendingGet != nil {
			return runOutputFull // resumed when the socket has taken its replies
		}
		if len(c.out) >= flushThreshold {
			if c.writeSome() != nil {
				return runCloseNow
			}
			if len(c.out) > 0 {
				return runOutputFull
			}
		}
		if c.reqs++; c.reqs >= c.srv.cfg.ReqsPerEvent && c.r < c.w {
			c.counters.yields.Add(1) // memcached's -R: let the others run first
			return runYield
		}
	}
}

// nextLine is readLine without blocking: the next complete line, or nil and what to do.
// A line that goes on past 2048 bytes without a newline closes the connection once the
// socket has nothing more to give (memcached's rule), unless it is a get, which may grow
// to getLineLimit and is then refused as memcached refuses a request it has no memory
// for.
func (c *conn) nextLine() ([]byte, int) {
	for {
		if i := bytes.IndexByte(c.rbuf[c.r+c.scanned:c.w], '\n'); i >= 0 {
			end := c.r + c.scanned + i
			if end-c.r >= readBufferSize && !c.longLineAllowed() {
				return nil, runCloseNow
			}
			line := c.rbuf[c.r:end]
			c.r, c.scanned = end+1, 0
			if len(line) > 1 && line[len(line)-1] == '\r' {
				line = line[:len(line)-1]
			}
			return line, 0
		}
		c.scanned = c.w - c.r
		switch {
		case c.scanned <= lineLimit:
			return nil, runNeedInput
		case !c.longLineAllowed():
			if c.scanned >= readBufferSize || !c.readMore() {
				return nil, runCloseNow
			}
		case c.scanned > getLineLimit:
			c.refuseLongGet()
			return nil, runCloseAfter
		default:
			return nil, runNeedInput
		}
	}
}

// readMore reads what the socket holds now until the unread input fills memcached's
// read buffer, and reports whether it read anything.
func (c *conn) readMore() bool {
	if c.r > 0 {
		c.w = copy(c.rbuf, c.rbuf[c.r:c.w])
		c.r = 0
	}
	got := false
	for c.w < min(len(c.rbuf), readBufferSize) {
		n, err := rawRead(c.lfd, c.rbuf[c.w:min(len(c.rbuf), readBufferSize)])
		if n <= 0 || err != nil {
			break
		}
		c.w += n
		c.counters.bytesRead.Add(uint64(n))
		got = true
	}
	return got
}

// writeSome writes as much of c's output as the socket takes now and keeps the rest.
func (c *conn) writeSome() error {
	sent := 0
	for sent < len(c.out) {
		n, err := rawWrite(c.lfd, c.out[sent:])
		if n > 0 {
			sent += n
			c.counters.bytesWritten.Add(uint64(n))
			continue
		}
		if err == unix.EINTR {
			continue
		}
		if err == unix.EAGAIN {
			break
		}
		c.out = c.out[:0]
		return err
	}
	c.out = c.out[:copy(c.out, c.out[sent:])]
	return nil
}
