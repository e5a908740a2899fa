package protocol

import (
	"bytes"
	"errors"
	"net"
	"os"
	"runtime"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/plibcached/plibcached/plib"
)

const (
	readBufferSize = 16384   // memcached's READ_BUFFER_SIZE
	lineLimit      = 2048    // memcached closes a connection after this much without '\n'
	getLineLimit   = 1 << 20 // a get line may grow this long (memcached: until malloc fails)
	flushThreshold = 256 << 10
	maxIdleBuffer  = 256 << 10 // larger buffers are dropped when they fall empty
)

var (
	errLineTooLong = errors.New("protocol: line too long")
	errQuit        = errors.New("protocol: quit")
)

// connCounters are a connection's own statistics, summed by "stats".
// (ma runs as a read and a compare-and-swap, so the store counts it as a get and a cas:
// its incr and decr hits and misses are counted here.)
type connCounters struct {
	bytesRead, bytesWritten      atomic.Uint64
	cmdMeta                      atomic.Uint64
	storeTooLarge, storeNoMemory atomic.Uint64
	incrHits, incrMisses         atomic.Uint64
	decrHits, decrMisses         atomic.Uint64
	flushRefused                 atomic.Uint64 // flush_all under FlushDisabled
	yields                       atomic.Uint64 // conn_yields: ReqsPerEvent reached
}

func (a *connCounters) add(b *connCounters) {
	a.bytesRead.Add(b.bytesRead.Load())
	a.bytesWritten.Add(b.bytesWritten.Load())
	a.cmdMeta.Add(b.cmdMeta.Load())
	a.storeTooLarge.Add(b.storeTooLarge.Load())
	a.storeNoMemory.Add(b.storeNoMemory.Load())
	a.incrHits.Add(b.incrHits.Load())
	a.incrMisses.Add(b.incrMisses.Load())
	a.decrHits.Add(b.decrHits.Load())
	a.decrMisses.Add(b.decrMisses.Load())
	a.flushRefused.Add(b.flushRefused.Load())
	a.yields.Add(b.yields.Load())
}

// reset zeroes the counters.
func (a *connCounters) reset() {
	for _, v := range []*atomic.Uint64{&a.bytesRead, &a.bytesWritten, &a.cmdMeta, &a.storeTooLarge,
		&a.storeNoMemory, &a.incrHits, &a.incrMisses, &a.decrHits, &a.decrMisses, &a.flushRefused, &a.yields} {
		v.Store(0)
	}
}

// connFigures are connCounters' values at one moment (for "stats reset"), and the
// server's connection totals then.
type connFigures struct {
	bytesRead, bytesWritten      uint64
	cmdMeta                      uint64
	storeTooLarge, storeNoMemory uint64
	incrHits, incrMisses         uint64
	decrHits, decrMisses         uint64
	flushRefused, yields         uint64
	totalConnsBase, rejectedBase uint64
}

// figures reads the counters.
func (a *connCounters) figures() connFigures {
	return connFigures{
		bytesRead: a.bytesRead.Load(), bytesWritten: a.bytesWritten.Load(), cmdMeta: a.cmdMeta.Load(),
		storeTooLarge: a.storeTooLarge.Load(), storeNoMemory: a.storeNoMemory.Load(),
		incrHits: a.incrHits.Load(), incrMisses: a.incrMisses.Load(),
		decrHits: a.decrHits.Load(), decrMisses: a.decrMisses.Load(),
		flushRefused: a.flushRefused.Load(), yields: a.yields.Load(),
	}
}

// sub takes base's counters off f's (the connection totals stay base's, for the caller).
func (f *connFigures) sub(base *connFigures) {
	for _, p := range []struct{ v, b *uint64 }{
		{&f.bytesRead, &base.bytesRead}, {&f.bytesWritten, &base.bytesWritten}, {&f.cmdMeta, &base.cmdMeta},
		{&f.storeTooLarge, &base.storeTooLarge}, {&f.storeNoMemory, &base.storeNoMemory},
		{&f.incrHits, &base.incrHits}, {&f.incrMisses, &base.incrMisses},
		{&f.decrHits, &base.decrHits}, {&f.decrMisses, &base.decrMisses},
		{&f.flushRefused, &base.flushRefused}, {&f.yields, &base.yields},
	} {
		*p.v -= min(*p.b, *p.v)
	}
	f.totalConnsBase, f.rejectedBase = base.totalConnsBase, base.rejectedBase
}

// countArith counts an incr or decr that ended with err.
func (a *connCounters) countArith(incr bool, err error) {
	switch {
	case err == nil && incr:
		a.incrHits.Add(1)
	case err == nil:
		a.decrHits.Add(1)
	case err != plib.ErrCacheMiss && err != plib.ErrMalformedKey:
	case incr:
		a.incrMisses.Add(1)
	default:
		a.decrMisses.Add(1)
	}
}

// conn is one client connection: its read buffer (rbuf[r:w] unread; scanned bytes of it
// hold no '\n'), its pending output, and the state of the command being run.
type conn struct {
	srv      *Server
	nc       net.Conn
	fd       int // the socket in blocking mode, read and written directly; -1: through nc
	rbuf     []byte
	r, w     int
	scanned  int
	out      []byte
	tk       tokens
	noreply  bool
	noUpdate bool // mg u: the command's fetches leave the item unmarked and unbumped
	quit     bool
	keyBuf   [keyMaxLength]byte // the key of a storage command, kept while its data is read
	stash    []byte             // a meta set's response flags, kept while its data is read
	scratch  []byte             // values read for read-modify-write meta commands
	counters connCounters
	reqs     int // commands run since the socket was last read (Config.ReqsPerEvent)
	fdNum    int // the socket's descriptor number ("stats conns")
	// listenAddr is the address of the listener that accepted it ("stats conns").
	listenAddr net.Addr
	state      atomic.Int32
	lastCmd    atomic.Int64 // unix time of the last command
	rbufSize   int          // len(rbuf) as counted in Server.readBufBytes
	remote     net.Addr     // the peer's address ("stats conns")
	nread      nread        // a storage command waiting for its data (nread.go)

	// In an event loop (loop.go, loopconn.go): the socket, and the connection's state
	// between the loop's visits.
	loop        *eventLoop // nil: a goroutine serves the connection
	lfd         int
	ownInput    bool // rbuf is the connection's own, not the loop's
	swallowLeft int  // bytes of a refused value still to discard as they arrive
	protoKnown  bool // the first byte decided text or binary (Config.Binding)
	binary      bool
	blocked     bool // replies the socket has not taken: not read or run until sent
	closeAfter  bool // close once the replies are sent
	closed      bool
	respLeft    int         // response objects this visit may still take (-1: no limit; connlimits.go)
	respUsed    int         // response objects taken this visit
	respHeld    int         // response objects of replies not yet written
	pendingGet  *pendingGet // a get waiting for its replies so far to be sent (cmd_get.go)
	datagram    bool        // a UDP request (udp.go): all its input is in rbuf, its output sent at the end
}

// newLoopConn is a connection served by an event loop on socket fd.
func newLoopConn(s *Server, fd int, remote, listenAddr net.Addr) *conn {
	c := &conn{srv: s, lfd: fd, fdNum: fd, remote: remote, listenAddr: listenAddr,
		protoKnown: s.cfg.Binding == BindASCII, respLeft: -1}
	c.lastCmd.Store(time.Now().Unix())
	return c
}

func newConn(s *Server, nc net.Conn) *conn {
	c := &conn{srv: s, nc: nc, rbuf: make([]byte, readBufferSize), out: make([]byte, 0, readBufferSize),
		fdNum: socketFD(nc), remote: nc.RemoteAddr(), respLeft: -1}
	c.lastCmd.Store(time.Now().Unix())
	c.trackReadBuf()
	return c
}

// serve runs commands until the client quits or fails, or the server shuts down.
func (c *conn) serve() {
	defer c.nc.Close()
	if b := c.srv.cfg.Binding; b != BindASCII {
		if c.fill(1) != nil {
			return
		}
		switch bin, refuse := b.binaryFirst(c.rbuf[c.r]); {
		case refuse:
			return
		case bin:
			c.serveBinary()
			return
		}
	}
	for !c.srv.shutdown.Load() {
		line, err := c.readLine()
		if err == errLineTooLong {
			// memcached closes at once, dropping the replies it has not sent yet.
			c.out = c.out[:0]
			return
		}
		if err != nil {
			break
		}
		c.noreply = false
		c.state.Store(stateParseCmd)
		c.lastCmd.Store(time.Now().Unix())
		c.process(line)
		c.state.Store(stateWaiting)
		if c.quit {
			break
		}
		if len(c.out) >= flushThreshold && c.flush() != nil {
			return
		}
		if c.reqs++; c.reqs >= c.srv.cfg.ReqsPerEvent && c.r < c.w {
			// memcached's -R: this connection has had its turn; send what it has and let
			// the others run before its next command.
			c.counters.yields.Add(1)
			c.reqs = 0
			if len(c.out) > 0 && c.flush() != nil {
				return
			}
			runtime.Gosched()
		}
	}
	if len(c.out) > 0 {
		c.nc.SetWriteDeadline(time.Now().Add(5 * time.Second))
		c.flush()
	}
}

// serveBinary answers a binary client's requests (binary.go) until it goes.
func (c *conn) serveBinary() {
	for !c.srv.shutdown.Load() {
		if c.fill(binaryHeaderLen) != nil {
			return
		}
		out, body, ok := appendBinaryRefusal(c.out, c.rbuf[c.r:c.r+binaryHeaderLen])
		if !ok {
			return // memcached closes on a bad magic byte, unanswered
		}
		c.out, c.r = out, c.r+binaryHeaderLen
		if c.swallow(body) != nil {
			return
		}
	}
}

// readLine returns the next command line without its "\n" and one "\r" before it (if the
// line is longer than that), as memcached's try_read_command_ascii cuts it. The line
// stays valid until the next read. A line memcached's 16 KiB read buffer cannot hold, or
// one that goes on past 2048 bytes when the socket has nothing more to give, closes the
// connection, unless it is a multiget.
func (c *conn) readLine() ([]byte, error) {
	for {
		if i := bytes.IndexByte(c.rbuf[c.r+c.scanned:c.w], '\n'); i >= 0 {
			end := c.r + c.scanned + i
			if end-c.r >= readBufferSize && !c.longLineAllowed() {
				return nil, errLineTooLong
			}
			line := c.rbuf[c.r:end]
			c.r, c.scanned = end+1, 0
			if len(line) > 1 && line[len(line)-1] == '\r' {
				line = line[:len(line)-1]
			}
			return line, nil
		}
		c.scanned = c.w - c.r
		if c.scanned > lineLimit && !c.longLineAllowed() {
			// memcached gives up only once it has read what the socket holds.
			if c.scanned >= readBufferSize || !c.readAvailable() {
				return nil, errLineTooLong
			}
			continue
		}
		if c.scanned > getLineLimit {
			c.refuseLongGet()
			return nil, errQuit
		}
		if err := c.fill(c.scanned + 1); err != nil {
			return nil, err
		}
	}
}

// readAvailable reads what the socket holds now, without waiting, until the unread
// bytes fill memcached's read buffer. It reports whether it read anything.
func (c *conn) readAvailable() bool {
	sc, ok := c.nc.(syscall.Conn)
	if !ok {
		return false
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	if c.r > 0 {
		c.w = copy(c.rbuf, c.rbuf[c.r:c.w])
		c.r = 0
	}
	got := false
	for c.w < min(len(c.rbuf), readBufferSize) {
		var n int
		var rerr error
		raw.Read(func(fd uintptr) bool {
			n, rerr = syscall.Read(int(fd), c.rbuf[c.w:min(len(c.rbuf), readBufferSize)])
			return true // one attempt: the descriptor does not block
		})
		if n <= 0 || rerr != nil {
			break
		}
		c.w += n
		c.counters.bytesRead.Add(uint64(n))
		got = true
	}
	return got
}

// refuseLongGet answers a get line longer than getLineLimit as memcached answers a
// request it cannot find memory for (its read buffer's realloc failed); the connection is
// closed once that is sent.
func (c *conn) refuseLongGet() {
	c.out = append(c.out, "SERVER_ERROR out of memory reading request\r\n"...)
	c.r, c.w, c.scanned = 0, 0, 0
}

// longLineAllowed is memcached's exception for a line without '\n' beyond 2048 bytes: a
// multiget ("get " or "gets " after at most 100 spaces) may go on; anything else closes.
func (c *conn) longLineAllowed() bool {
	b := c.rbuf[c.r:c.w]
	i := 0
	for i < len(b) && b[i] == ' ' {
		i++
	}
	if i > 100 {
		return false
	}
	return bytes.HasPrefix(b[i:], []byte("get ")) || bytes.HasPrefix(b[i:], []byte("gets "))
}

// fill reads from the socket until at least need bytes are unread, first sending the
// pending output (the client may be waiting for it before it sends more). It compacts or
// grows the buffer as needed.
func (c *conn) fill(need int) error {
	if len(c.out) > 0 {
		if err := c.flush(); err != nil {
			return err
		}
	}
	if c.r == c.w && len(c.rbuf) > maxIdleBuffer && need <= readBufferSize {
		c.rbuf, c.r, c.w = make([]byte, readBufferSize), 0, 0 // drop a large value's room
		c.trackReadBuf()
	}
	for c.w-c.r < need {
		if c.r+need > len(c.rbuf) {
			if need > len(c.rbuf) {
				nb := make([]byte, max(need, 2*len(c.rbuf)))
				c.w = copy(nb, c.rbuf[c.r:c.w])
				c.rbuf = nb
				c.trackReadBuf()
			} else {
				c.w = copy(c.rbuf, c.rbuf[c.r:c.w])
			}
			c.r = 0
		}
		c.reqs = 0
		n, err := c.readIdle(c.rbuf[c.w:])
		c.w += n
		c.counters.bytesRead.Add(uint64(n))
		if err != nil && c.w-c.r < need {
			return err
		}
	}
	return nil
}

// readData returns the next n bytes (a value and its CRLF), valid until the next read.
func (c *conn) readData(n int) ([]byte, error) {
	if c.w-c.r < n {
		c.state.Store(stateNread)
		if err := c.fill(n); err != nil {
			return nil, err
		}
	}
	d := c.rbuf[c.r : c.r+n]
	c.r += n
	return d, nil
}

// swallow discards the next n bytes (the value of a refused set), as memcached's
// conn_swallow does.
func (c *conn) swallow(n int) error {
	if c.loop != nil || c.datagram { // what is not in yet is dropped as it comes (runInput)
		k := min(n, c.w-c.r)
		c.r += k
		c.swallowLeft = n - k
		return nil
	}
	for n > 0 {
		if c.r == c.w {
			c.r, c.w = 0, 0
			if err := c.fill(1); err != nil {
				return err
			}
		}
		k := min(n, c.w-c.r)
		c.r += k
		n -= k
	}
	return nil
}

// readIdle is read under Config.IdleTimeout: a connection that sends nothing for that
// long is closed and counted in idle_kicks, as memcached's idle_timeout does.
func (c *conn) readIdle(b []byte) (int, error) {
	t := c.srv.cfg.IdleTimeout
	if t <= 0 {
		return c.nc.Read(b)
	}
	c.nc.SetReadDeadline(time.Now().Add(t))
	if c.srv.shutdown.Load() { // Shutdown's wake-up deadline may just have been replaced
		return 0, ErrServerClosed
	}
	n, err := c.nc.Read(b)
	if errors.Is(err, os.ErrDeadlineExceeded) && !c.srv.shutdown.Load() {
		c.srv.idleKicks.Add(1)
		c.out = c.out[:0]
	}
	return n, err
}

// trackReadBuf keeps Server.readBufBytes ("stats": read_buf_bytes) in step with the read
// buffer's size; untrackReadBuf takes it off when the connection ends.
func (c *conn) trackReadBuf() {
	c.srv.readBufBytes.Add(uint64(len(c.rbuf) - c.rbufSize))
	c.rbufSize = len(c.rbuf)
}

func (c *conn) untrackReadBuf() {
	c.srv.readBufBytes.Add(-uint64(c.rbufSize))
	c.rbufSize = 0
}
