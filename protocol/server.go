package protocol

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/plibcached/plibcached/plib"
)

// Config tunes a Server. The zero value is memcached's defaults.
type Config struct {
	// ItemSizeMax is memcached's -I: a set whose item (48-byte header, 8-byte CAS, key,
	// a NUL, the value and CRLF, memcached's arithmetic) exceeds it gets "SERVER_ERROR
	// object too large for cache". Default 1 MiB. The store enforces its own limit too.
	ItemSizeMax int
	// MaxConns is memcached's -c: connections beyond it are refused with "ERROR Too many
	// open connections". 0 means no limit.
	MaxConns int
	// Version is what "version" and "stats" report: the memcached release whose protocol
	// is served. Default "1.6.18".
	Version string
	// Logf, if set, receives accept and connection errors.
	Logf func(format string, args ...any)
	// Loops is the number of event-loop threads (memcached's -t); 0: GOMAXPROCS.
	Loops int
	// ReadBufMemLimit is memcached's -o read_buf_mem_limit, in bytes: the event loops'
	// network buffers, counted as memcached counts them (connlimits.go). 0: no limit.
	ReadBufMemLimit int
	// FlushDisabled is memcached's -F: flush_all answers "CLIENT_ERROR flush_all not
	// allowed" (and is still counted in cmd_flush, as memcached logs it).
	FlushDisabled bool
	// DebugClock, if set, serves memcached-debug's "debugtime" command, which moves this
	// clock (the store's: plib.Options.Clock must be the same one). Tests only; nil makes
	// debugtime an unknown command, as in a release build of memcached.
	DebugClock *DebugClock
	// IdleTimeout is memcached's -o idle_timeout: a connection that sends nothing for
	// this long is closed (and counted in idle_kicks). 0: never.
	IdleTimeout time.Duration
	// ReqsPerEvent is memcached's -R: after this many commands in a row from one
	// connection's already-read input, the connection sends its replies and yields the
	// processor to others (counted in conn_yields). 0: memcached's default, 20.
	ReqsPerEvent int
	// Shutdown, if set, enables the shutdown command (memcached's -A), which calls it to
	// stop the server gracefully.
	Shutdown func()
	// CASDisabled is memcached's -C: CAS ids are hidden and never match (nocas.go).
	CASDisabled bool
	// NoEvict is memcached's -M, for "stats settings" (evictions off); the store enforces
	// it (plib.Options.NoEvict).
	NoEvict bool
	// Backlog is memcached's -b, for "stats settings" (tcp_backlog); the listener's owner
	// applies it (plibd.Config.Backlog). 0: memcached's default, 1024.
	Backlog int
	// Binding is memcached's -B: which protocols a connection may speak (BindAuto,
	// BindASCII, BindBinary; binary.go).
	Binding Binding
}

const (
	defaultItemSizeMax = 1 << 20
	defaultVersion     = "1.6.18"
	// defaultReqsPerEvent is memcached's -R default.
	defaultReqsPerEvent = 20
	// defaultBacklog is memcached's -b default.
	defaultBacklog = 1024
)

// ErrServerClosed is returned by Serve after Shutdown or Close.
var ErrServerClosed = errors.New("protocol: server closed")

// Server serves memcached's text and meta protocols over a Backend, on a few event-loop
// threads (loop.go).
type Server struct {
	cfg     Config
	be      Backend
	started time.Time
	// lastStoreLog is when a damaged segment or busy lock was last logged (unix ns).
	lastStoreLog atomic.Int64

	mu        sync.Mutex
	listeners map[net.Listener]struct{}
	packets   map[net.PacketConn]struct{} // UDP sockets being served (udp.go)
	conns     map[*conn]struct{}
	admitting int // connections admitted and not yet tracked (mu)
	// closedSinceRelease and lastRelease pace returning memory to the system (mu;
	// release.go).
	closedSinceRelease int
	releasePending     bool
	lastRelease        time.Time
	closed             connCounters // counters of connections gone
	wg                 sync.WaitGroup

	shutdown   atomic.Bool
	totalConns atomic.Uint64
	rejected   atomic.Uint64
	idleKicks  atomic.Uint64
	respOOM    atomic.Uint64 // response_obj_oom (connlimits.go)

	loopsOnce sync.Once
	loops     []*eventLoop
	nextLoop  atomic.Uint32
	loopWG    sync.WaitGroup
	loopSlots []*loopSlot // the loops' sessions (mu)

	readBufBytes atomic.Uint64 // the connections' read buffers, in bytes
	prefixes     prefixStats   // "stats detail"
	statsBase    plib.Stats    // the store's figures at the last "stats reset" (mu)
	connBase     connFigures   // the connections' figures then (mu)
}

// NewServer returns a Server over be.
func NewServer(be Backend, cfg Config) *Server {
	if cfg.ItemSizeMax <= 0 {
		cfg.ItemSizeMax = defaultItemSizeMax
	}
	if cfg.Version == "" {
		cfg.Version = defaultVersion
	}
	if cfg.ReqsPerEvent <= 0 {
		cfg.ReqsPerEvent = defaultReqsPerEvent
	}
	if cfg.Backlog <= 0 {
		cfg.Backlog = defaultBacklog
	}
	return &Server{cfg: cfg, be: be, started: time.Now(),
		listeners: map[net.Listener]struct{}{}, packets: map[net.PacketConn]struct{}{}, conns: map[*conn]struct{}{}}
}

func (s *Server) logf(format string, args ...any) {
	if s.cfg.Logf != nil {
		s.cfg.Logf(format, args...)
	}
}

// Serve accepts connections on l and serves them until l fails or the server shuts down;
// then it returns ErrServerClosed. It closes l.
func (s *Server) Serve(l net.Listener) error {
	s.mu.Lock()
	if s.shutdown.Load() {
		s.mu.Unlock()
		l.Close()
		return ErrServerClosed
	}
	s.listeners[l] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.listeners, l)
		s.mu.Unlock()
		l.Close()
	}()
	var backoff time.Duration
	for {
		nc, err := l.Accept()
		if err != nil {
			if s.shutdown.Load() {
				return ErrServerClosed
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() || errors.Is(err, syscall.EMFILE) {
				backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
				s.logf("plibd: accept: %v; retrying in %v", err, backoff)
				time.Sleep(backoff)
				continue
			}
			return err
		}
		backoff = 0
		s.serveConn(nc, l.Addr())
	}
}

// ServeConn serves one established connection (a socket from any source, such as a
// descriptor passed by another process) and closes it when done.
func (s *Server) ServeConn(nc net.Conn) { s.serveConn(nc, nc.LocalAddr()) }

// serveConn is ServeConn for a connection accepted on a listener at listenAddr: an event
// loop serves a TCP or unix socket, a goroutine anything else (through the runtime's
// poller, borrowing a session from the Backend for each command).
func (s *Server) serveConn(nc net.Conn, listenAddr net.Addr) {
	if !s.admit(nc) {
		return
	}
	s.totalConns.Add(1)
	s.startLoops()
	remote := nc.RemoteAddr()
	if l := s.pickLoop(); l != nil {
		if fd, ok := detachFD(nc); ok {
			c := newLoopConn(s, fd, remote, listenAddr)
			c.loop = l
			s.track(c)
			l.add(c)
			return
		}
	}
	c := newConn(s, nc)
	c.listenAddr = listenAddr
	s.track(c)
	go func() {
		c.serve()
		c.untrackReadBuf()
		s.connDone(c)
	}()
}

// admit counts nc in as a connection, or refuses it (shutting down, or MaxConns
// reached, memcached's "ERROR Too many open connections") and closes it. An admitted
// connection must be tracked (track) at once.
func (s *Server) admit(nc net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.shutdown.Load() {
		nc.Close()
		return false
	}
	if s.cfg.MaxConns > 0 && len(s.conns)+s.admitting >= s.cfg.MaxConns {
		s.rejected.Add(1)
		nc.SetWriteDeadline(time.Now().Add(time.Second))
		nc.Write([]byte("ERROR Too many open connections\r\n"))
		nc.Close()
		return false
	}
	s.admitting++
	s.wg.Add(1)
	return true
}

// track records an admitted connection.
func (s *Server) track(c *conn) {
	s.mu.Lock()
	s.admitting--
	s.conns[c] = struct{}{}
	s.mu.Unlock()
}

// connDone forgets a connection that has closed, keeping its counters.
func (s *Server) connDone(c *conn) {
	s.mu.Lock()
	delete(s.conns, c)
	s.closed.add(&c.counters)
	s.noteClosed()
	s.mu.Unlock()
	s.wg.Done()
}

// Shutdown stops accepting, lets every connection finish the command it is running, sends
// what it owes, and closes it; a connection waiting for a command is closed at once. If
// ctx ends first, the remaining connections are closed mid-command and ctx's error is
// returned.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.shutdown.Store(true)
	for l := range s.listeners {
		l.Close()
	}
	for pc := range s.packets {
		pc.Close()
	}
	for c := range s.conns {
		if c.loop == nil {
			c.nc.SetReadDeadline(time.Now()) // wakes a connection blocked reading
		}
	}
	s.mu.Unlock()
	s.loopsOnce.Do(func() {}) // no loops start after this
	for _, l := range s.loops {
		l.wake() // it sends what its connections are owed, closes them and ends
	}
	done := make(chan struct{})
	go func() {
		s.wg.Wait()
		s.loopWG.Wait()
		s.releaseLoopSlots()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		s.closeConns()
		<-done
		return ctx.Err()
	}
}

// Close closes the listeners and every connection at once.
func (s *Server) Close() error {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := s.Shutdown(ctx)
	if errors.Is(err, context.Canceled) {
		err = nil
	}
	return err
}

func (s *Server) closeConns() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		if c.loop == nil {
			c.nc.Close()
		}
	}
}

// serverError is the reply to a command the store failed with an error memcached has no
// answer for: SERVER_ERROR and the error, on one line. A damaged segment (plib.ErrCorrupt)
// or a lock a stopped process keeps (plib.ErrBusy) is logged too, at most once a second,
// since every command that meets it fails the same way; other commands go on being served.
func (c *conn) serverError(err error) string {
	if errors.Is(err, plib.ErrCorrupt) || errors.Is(err, plib.ErrBusy) {
		now := time.Now().UnixNano()
		if last := c.srv.lastStoreLog.Load(); now-last >= int64(time.Second) && c.srv.lastStoreLog.CompareAndSwap(last, now) {
			c.srv.logf("plibd: %v (the command got SERVER_ERROR; serving on)", err)
		}
	}
	return "SERVER_ERROR " + strings.NewReplacer("\r", " ", "\n", " ").Replace(err.Error())
}
