//go:build linux

package handoff

import (
	"errors"
	"fmt"
	"net"
	"os"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/plibcached/plibcached/plib/pidwatch"
)

// RequiredSeals are the memfd seals NewServer insists on (plib.CreateMemfd sets them,
// plib.OpenFile checks them): no grantee can shrink or grow the segment under the
// others, nor add a seal.
const RequiredSeals = unix.F_SEAL_SHRINK | unix.F_SEAL_GROW | unix.F_SEAL_SEAL

// DefaultTimeout bounds one connection when Config.Timeout is zero.
const DefaultTimeout = 5 * time.Second

// maxInFlight bounds the connections handled at once; more wait in the listen backlog.
const maxInFlight = 64

// ErrServerClosed is returned by Serve after Close, and by a second Close.
var ErrServerClosed = errors.New("plib/handoff: server closed")

// Config configures a Server.
type Config struct {
	// Segment is the descriptor handed out: a memfd sealed with RequiredSeals, as
	// plib.CreateMemfd returns. The server keeps a duplicate; the caller keeps Segment.
	Segment *os.File
	// Policy says who gets it; the zero Policy refuses everyone.
	Policy Policy
	// OnExit, if set, is called once for every grant, on a goroutine of its own, soon
	// after the process granted the segment exits (it may still be a zombie). plibd
	// passes a function that calls Client.Recover. With OnExit set, a peer whose
	// process cannot be watched (a pidfd cannot be had) is refused.
	OnExit func(Peer)
	// Logf, if set, gets one line per grant, refusal and failure.
	Logf func(format string, args ...any)
	// Timeout bounds each connection (DefaultTimeout if zero).
	Timeout time.Duration
}

// Server hands the segment descriptor to the processes its Policy allows.
type Server struct {
	cfg   Config
	seg   int // the server's duplicate of Config.Segment
	sem   chan struct{}
	watch pidwatch.Watcher

	mu        sync.Mutex
	closed    bool
	listeners map[*net.UnixListener]struct{}
	conns     map[*net.UnixConn]struct{}
	wg        sync.WaitGroup // connection handlers
}

// NewServer checks cfg (Segment must carry RequiredSeals) and returns a Server; Serve
// runs it.
func NewServer(cfg Config) (*Server, error) {
	if cfg.Segment == nil {
		return nil, errors.New("plib/handoff: Config.Segment is nil")
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	rc, err := cfg.Segment.SyscallConn()
	if err != nil {
		return nil, err
	}
	dup, opErr := -1, error(nil)
	err = rc.Control(func(fd uintptr) {
		seals, err := unix.FcntlInt(fd, unix.F_GET_SEALS, 0)
		switch {
		case err != nil:
			opErr = fmt.Errorf("plib/handoff: segment is not a sealable memfd: %w", err)
		case seals&RequiredSeals != RequiredSeals:
			opErr = fmt.Errorf("plib/handoff: segment has seals %#x, want at least %#x", seals, RequiredSeals)
		default:
			dup, opErr = unix.FcntlInt(fd, unix.F_DUPFD_CLOEXEC, 0)
		}
	})
	if err == nil {
		err = opErr
	}
	if err != nil {
		return nil, err
	}
	return &Server{cfg: cfg, seg: dup, sem: make(chan struct{}, maxInFlight),
		listeners: map[*net.UnixListener]struct{}{}, conns: map[*net.UnixConn]struct{}{}}, nil
}

// Listen binds a SOCK_SEQPACKET unix socket at path with permissions perm (0666 lets any
// local process ask and be told the policy's answer). A stale socket left at path by a
// server that died is removed; a live one is an error.
func Listen(path string, perm os.FileMode) (*net.UnixListener, error) {
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&os.ModeSocket != 0 {
		var c net.Conn
		if c, err = net.DialTimeout("unixpacket", path, time.Second); err == nil {
			c.Close()
			return nil, fmt.Errorf("plib/handoff: %s is served already", path)
		}
		if errors.Is(err, unix.ECONNREFUSED) {
			os.Remove(path)
		}
	}
	l, err := net.ListenUnix("unixpacket", &net.UnixAddr{Name: path, Net: "unixpacket"})
	if err != nil {
		return nil, fmt.Errorf("plib/handoff: %w", err)
	}
	if err := os.Chmod(path, perm); err != nil {
		l.Close()
		return nil, fmt.Errorf("plib/handoff: %w", err)
	}
	return l, nil
}

// Serve accepts connections on l (a "unixpacket" listener, see Listen) until Close,
// and answers each: the segment to an allowed peer, a refusal naming the reason to any
// other. It returns ErrServerClosed after Close, or the listener's error.
func (s *Server) Serve(l *net.UnixListener) error {
	if n := l.Addr().Network(); n != "unixpacket" {
		return fmt.Errorf("plib/handoff: listener is %s, want unixpacket", n)
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrServerClosed
	}
	s.listeners[l] = struct{}{}
	s.mu.Unlock()
	var backoff time.Duration
	for {
		s.sem <- struct{}{}
		c, err := l.AcceptUnix()
		if err != nil {
			<-s.sem
			if s.isClosed() {
				return ErrServerClosed
			}
			if errors.Is(err, net.ErrClosed) {
				return err
			}
			backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
			s.logf("plib/handoff: accept: %v; retrying in %v", err, backoff) // EMFILE and the like
			time.Sleep(backoff)
			continue
		}
		backoff = 0
		if !s.track(c) {
			<-s.sem
			c.Close()
			return ErrServerClosed
		}
		go s.handle(c)
	}
}

func (s *Server) track(c *net.UnixConn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.conns[c] = struct{}{}
	s.wg.Add(1)
	return true
}

func (s *Server) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

func (s *Server) logf(format string, args ...any) {
	if s.cfg.Logf != nil {
		s.cfg.Logf(format, args...)
	}
}

// Close stops every Serve, ends the connections in progress, stops watching the
// grantees (OnExit runs no more), and closes the server's duplicate of the segment. The
// processes already granted the segment keep it.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return ErrServerClosed
	}
	s.closed = true
	for l := range s.listeners {
		l.Close()
	}
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
	return errors.Join(s.watch.Close(), unix.Close(s.seg))
}
