package protocol

import (
	"net"
	"runtime"
	"sync"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Event loops.
//
// A few threads, Config.Loops of them (GOMAXPROCS by default), each wait in epoll_wait on
// their own set of connections, as memcached's worker threads wait in libevent. Each
// holds one session (a client slot of the segment; shared with another loop, one command
// at a time, only if the segment has no slot left) for its lifetime and runs every
// command of its connections on it, on its own locked OS thread, so slots belong to
// threads, never to connections. A connection is a descriptor and a small struct: its
// input is read into its loop's buffer and only what a read leaves unfinished (a partial
// line or value) is copied into a buffer of its own, dropped again when it empties; its
// replies go to the loop's output buffer and only what the socket does not take is kept.
// An idle connection holds no buffer and no thread.
//
// Pipelining as memcached does it: a read is followed by every complete command it holds,
// then one write of all their replies. A connection whose replies the socket does not
// take (a client that does not read) is not read or run again until they are all sent:
// its memory stays within one batch of replies (flushThreshold, plus the last command's
// reply) and its input within one read. Lines are bounded as memcached bounds them
// (2048 bytes without a newline, unless a get; getLineLimit for a get), values by
// Config.ItemSizeMax (a larger one is discarded as it arrives).
//
// Why not github.com/panjf2000/gnet/v2: its v2.9.7 has no way to stop reading a
// connection. It reads every readable socket into the connection's inbound ring buffer,
// which grows without bound, so a client that pipelines without reading its replies
// would grow plibd's memory without bound; a stalled writer is exactly the case the
// bound is for. It also owns its listeners (a fixed backlog, no descriptors handed in
// from elsewhere, as ServeConn takes them). The loop here is small: epoll, an eventfd to
// hand it connections, level-triggered readiness.

// loopReadSize is the loop's read buffer: one read takes up to this much.
const loopReadSize = 64 << 10

// eventLoop is one thread serving many connections.
type eventLoop struct {
	srv    *Server
	epfd   int
	wakefd int       // an eventfd: new connections, shutdown
	slot   *loopSlot // the session its commands run on (claimed on first use)
	index  int
	rbuf   []byte // input of the connection being served, until it finishes
	obuf   []byte // output of the connection being served, until written
	conns  map[int]*conn
	// buffers is Config.ReadBufMemLimit's share of this loop, in 16 KiB buffers (0: no
	// limit; connlimits.go).
	buffers int
	ready   []*conn // connections with input buffered to run (-R yields, drained output)
	now     int64   // unix time, read once per wake-up (the commands' last-command time)
	busy    bool    // the last wait found several connections ready (wait)

	mu       sync.Mutex
	incoming []*conn
	exited   bool
}

// startLoops starts the server's event loops (once).
func (s *Server) startLoops() {
	s.loopsOnce.Do(func() {
		n := s.cfg.Loops
		if n <= 0 {
			n = runtime.GOMAXPROCS(0)
		}
		for range n {
			l, err := newEventLoop(s)
			if err != nil {
				s.logf("plibd: event loop: %v", err)
				break
			}
			l.buffers = loopBuffers(s.cfg.ReadBufMemLimit, n)
			l.index = len(s.loops)
			s.loops = append(s.loops, l)
			s.loopWG.Add(1)
			go l.run()
		}
	})
}

func newEventLoop(s *Server) (*eventLoop, error) {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, err
	}
	wakefd, err := unix.Eventfd(0, unix.EFD_CLOEXEC|unix.EFD_NONBLOCK)
	if err != nil {
		unix.Close(epfd)
		return nil, err
	}
	l := &eventLoop{srv: s, epfd: epfd, wakefd: wakefd, conns: map[int]*conn{},
		rbuf: make([]byte, loopReadSize), obuf: make([]byte, 0, readBufferSize)}
	if err := unix.EpollCtl(epfd, unix.EPOLL_CTL_ADD, wakefd,
		&unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(wakefd)}); err != nil {
		unix.Close(epfd)
		unix.Close(wakefd)
		return nil, err
	}
	return l, nil
}

// pickLoop chooses the loop for a new connection, in turn (memcached's dispatch).
func (s *Server) pickLoop() *eventLoop {
	if len(s.loops) == 0 {
		return nil
	}
	return s.loops[int(s.nextLoop.Add(1))%len(s.loops)]
}

// add hands c to the loop.
func (l *eventLoop) add(c *conn) {
	l.mu.Lock()
	if l.exited { // the server shut down meanwhile
		l.mu.Unlock()
		unix.Close(c.lfd)
		l.srv.connDone(c)
		return
	}
	l.incoming = append(l.incoming, c)
	l.mu.Unlock()
	l.wake()
}

// wake makes the loop look at its incoming connections and the shutdown flag.
func (l *eventLoop) wake() {
	var one = [8]byte{1}
	unix.Write(l.wakefd, one[:])
}

// loopSlot is a session held by event loops: normally one loop's own; a loop that
// finds no client slot left in the segment shares another loop's, one command at a time.
type loopSlot struct {
	mu sync.Mutex // held for one command
	s  Session
}

// session lends the loop's session for one command (give it back with endSession). The
// loop claims its own on first use and keeps it; when the segment has no slot left for
// it, it shares one of the other loops' (ErrNoSession only if no loop has one).
func (l *eventLoop) session() (Session, error) {
	if l.slot == nil {
		if err := l.claimSlot(); err != nil {
			return nil, err
		}
	}
	l.slot.mu.Lock()
	return l.slot.s, nil
}

// endSession gives back what session lent.
func (l *eventLoop) endSession() { l.slot.mu.Unlock() }

// claimSlot claims a session for the loop, or a share of another loop's.
func (l *eventLoop) claimSlot() error {
	var s Session
	var err error
	if t, ok := l.srv.be.(interface{ TryAcquire() (Session, error) }); ok {
		s, err = t.TryAcquire()
	} else {
		s, err = l.srv.be.Acquire()
	}
	srv := l.srv
	srv.mu.Lock()
	defer srv.mu.Unlock()
	switch {
	case err == nil:
		l.slot = &loopSlot{s: s}
		srv.loopSlots = append(srv.loopSlots, l.slot)
	case len(srv.loopSlots) > 0:
		l.slot = srv.loopSlots[l.index%len(srv.loopSlots)]
	default:
		return err
	}
	return nil
}

// releaseLoopSlots gives the loops' sessions back to the Backend once every loop ended.
func (s *Server) releaseLoopSlots() {
	s.mu.Lock()
	slots := s.loopSlots
	s.loopSlots = nil
	s.mu.Unlock()
	for _, sl := range slots {
		s.be.Release(sl.s)
	}
}

// run serves the loop's connections until the server shuts down.
func (l *eventLoop) run() {
	runtime.LockOSThread() // the loop's commands run on this thread, and only here
	defer l.srv.loopWG.Done()
	defer l.exit()
	events := make([]unix.EpollEvent, 256)
	idle := l.srv.cfg.IdleTimeout
	for {
		timeout := -1
		switch {
		case len(l.ready) > 0:
			timeout = 0
		case idle > 0:
			timeout = 1000
		}
		n, err := l.wait(events, timeout)
		if err != nil && err != unix.EINTR {
			l.srv.logf("plibd: epoll_wait: %v", err)
			return
		}
		l.now = time.Now().Unix()
		for i := range n {
			ev := &events[i]
			fd := int(ev.Fd)
			if fd == l.wakefd {
				var b [8]byte
				unix.Read(l.wakefd, b[:])
				if l.srv.shutdown.Load() {
					return
				}
				l.takeIncoming()
				continue
			}
			c := l.conns[fd]
			if c == nil {
				continue
			}
			if ev.Events&(unix.EPOLLOUT|unix.EPOLLHUP|unix.EPOLLERR) != 0 && c.blocked {
				l.writable(c) // a broken socket fails the write and is closed
			}
			if ev.Events&(unix.EPOLLIN|unix.EPOLLHUP|unix.EPOLLERR) != 0 && !c.closed && !c.blocked {
				l.readable(c)
			}
		}
		l.runReady()
		if idle > 0 {
			l.kickIdle(idle)
		}
	}
}

// takeIncoming registers the connections handed to the loop.
func (l *eventLoop) takeIncoming() {
	l.mu.Lock()
	in := l.incoming
	l.incoming = nil
	l.mu.Unlock()
	for _, c := range in {
		l.conns[c.lfd] = c
		if err := unix.EpollCtl(l.epfd, unix.EPOLL_CTL_ADD, c.lfd,
			&unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(c.lfd)}); err != nil {
			l.srv.logf("plibd: epoll_ctl: %v", err)
			l.close(c)
		}
	}
}

// runReady serves the connections that have input buffered and no read to wait for.
func (l *eventLoop) runReady() {
	ready := l.ready
	l.ready = nil
	for _, c := range ready {
		if !c.closed && !c.blocked {
			l.serve(c)
		}
	}
}

// kickIdle closes the connections waiting for a command for longer than idle
// (memcached's idle_timeout), counted in idle_kicks.
func (l *eventLoop) kickIdle(idle time.Duration) {
	old := time.Now().Add(-idle).Unix()
	for _, c := range l.conns {
		if !c.blocked && c.nread.kind == nreadNone && c.lastCmd.Load() < old {
			l.srv.idleKicks.Add(1)
			l.close(c)
		}
	}
}

// exit closes the loop's connections, sending what each is owed if the socket takes it
// now (the server gives the sessions back once every loop ended).
func (l *eventLoop) exit() {
	l.mu.Lock()
	l.exited = true
	l.mu.Unlock()
	l.takeIncoming()
	for _, c := range l.conns {
		c.writeSome()
		l.close(c)
	}
	unix.Close(l.epfd)
	unix.Close(l.wakefd)
}

// modify sets the events the loop waits for on c: input, or (blocked) output only.
func (l *eventLoop) modify(c *conn) {
	ev := uint32(unix.EPOLLIN)
	if c.blocked {
		ev = unix.EPOLLOUT
	}
	unix.EpollCtl(l.epfd, unix.EPOLL_CTL_MOD, c.lfd, &unix.EpollEvent{Events: ev, Fd: int32(c.lfd)})
}

// close closes c and forgets it.
func (l *eventLoop) close(c *conn) {
	if c.closed {
		return
	}
	c.closed = true
	unix.EpollCtl(l.epfd, unix.EPOLL_CTL_DEL, c.lfd, nil)
	unix.Close(c.lfd)
	delete(l.conns, c.lfd)
	c.rbuf, c.out = nil, nil
	c.untrackReadBuf()
	l.srv.connDone(c)
}

// detachFD takes a TCP or unix connection's socket out of the runtime's poller: it
// returns a duplicate of its descriptor (non-blocking, close-on-exec) and closes nc.
func detachFD(nc net.Conn) (int, bool) {
	switch nc.(type) {
	case *net.TCPConn, *net.UnixConn:
	default:
		return -1, false
	}
	raw, err := nc.(syscall.Conn).SyscallConn()
	if err != nil {
		return -1, false
	}
	fd := -1
	raw.Control(func(f uintptr) {
		fd, err = unix.FcntlInt(f, unix.F_DUPFD_CLOEXEC, 0)
	})
	if err != nil || fd < 0 {
		return -1, false
	}
	nc.Close()
	return fd, true
}

// rawRead and rawWrite are read(2) and write(2) on a non-blocking socket without the
// runtime's system-call bookkeeping: they never block, so the loop keeps its processor
// (a blocking call lets the runtime hand it to another thread, which costs more than the
// call on a small request).
func rawRead(fd int, p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	n, _, e := unix.RawSyscall(unix.SYS_READ, uintptr(fd), uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
	if e != 0 {
		return -1, e
	}
	return int(n), nil
}

func rawWrite(fd int, p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	n, _, e := unix.RawSyscall(unix.SYS_WRITE, uintptr(fd), uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
	if e != 0 {
		return -1, e
	}
	return int(n), nil
}

// wait is epoll_wait. While the loop is busy (its last wait found several connections
// ready, or a look found any), it first looks without blocking and without the runtime's
// bookkeeping (as rawRead); only if nothing is ready does it wait up to timeout ms in a
// way that lets the runtime use the processor meanwhile. A loop that serves one
// connection at a time goes straight to the wait: the look would only add a system call.
func (l *eventLoop) wait(events []unix.EpollEvent, timeout int) (int, error) {
	if l.busy || timeout == 0 {
		n, _, e := unix.RawSyscall6(unix.SYS_EPOLL_PWAIT, uintptr(l.epfd), uintptr(unsafe.Pointer(&events[0])),
			uintptr(len(events)), 0, 0, 0)
		switch {
		case e != 0 && e != unix.EINTR:
			return 0, e
		case n > 0 || timeout == 0:
			return int(n), nil
		}
	}
	n, err := unix.EpollWait(l.epfd, events, timeout)
	l.busy = n > 1
	return n, err
}
