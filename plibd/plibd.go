// Package plibd is the daemon that serves a plibcached segment to remote clients over
// memcached's text and meta protocols (package protocol), beside the local processes
// that use the segment through package plib. cmd/plibd builds a Config from its flags
// and calls Run; tests call Run too.
package plibd

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/plibcached/plibcached/plib"
	"github.com/plibcached/plibcached/protocol"
)

// Config is the daemon's whole configuration.
type Config struct {
	// Segment is the segment's path; a bare name lives under /dev/shm, so the data
	// outlives the daemon (plib.Open).
	Segment string
	// Options create or attach the segment (sizes, protection mode, clock).
	Options plib.Options
	// Listen is the TCP address of the text protocol ("" for none).
	Listen string
	// UDP is the address of memcached's UDP text protocol ("" for none: memcached's default
	// since 1.5.6, as UDP replies can amplify spoofed requests).
	UDP string
	// Unix is the path of a unix socket for the text protocol ("" for none); a stale
	// socket file there is replaced.
	Unix string
	// UnixMode is the unix socket's permission bits (default 0600).
	UnixMode os.FileMode
	// Backlog is the listen(2) backlog of the TCP and unix listeners (memcached's -b;
	// default 1024, as memcached's). The kernel caps it at net.core.somaxconn.
	Backlog int
	// Sessions bounds the client slots the daemon holds at once (default 4 per CPU).
	Sessions int
	// Protocol tunes the protocol server (item size limit, connection limit).
	Protocol protocol.Config
	// Open opens the segment; default plib.Open. Access control that hands out the
	// segment another way (a memfd whose descriptor is passed to clients) plugs in here.
	Open func(path string, opts plib.Options) (*plib.Client, error)
	// Services run beside the listeners for the daemon's lifetime (a watcher that
	// recovers the slots of dead local clients, a descriptor-passing endpoint); Run
	// cancels their context at shutdown and waits for them.
	Services []Service
	// ShutdownTimeout bounds how long in-flight commands may take to finish at shutdown
	// (default 10s); connections still busy then are closed.
	ShutdownTimeout time.Duration
	// Logf receives the daemon's log lines (default: none).
	Logf func(format string, args ...any)
	// ShutdownCommand enables the protocol's shutdown command (memcached's -A), which
	// stops the daemon as cancelling Run's context does.
	ShutdownCommand bool
	// Ready, if set, is called once the listeners are open.
	Ready func(d *Daemon)
}

// Service is a component that runs beside the protocol listeners.
type Service interface {
	// Run works until ctx ends; an error other than ctx's stops the daemon.
	Run(ctx context.Context, d *Daemon) error
}

// Daemon is a running plibd, as its Services and Ready see it.
type Daemon struct {
	logf   func(format string, args ...any)
	client *plib.Client
	server *protocol.Server
	addrs  []net.Addr
}

// Client is the daemon's handle on the segment.
func (d *Daemon) Client() *plib.Client { return d.client }

// Server is the protocol server; ServeConn serves a connection from any source.
func (d *Daemon) Server() *protocol.Server { return d.server }

// Addrs are the listeners' addresses: TCP, unix, then UDP.
func (d *Daemon) Addrs() []net.Addr { return d.addrs }

func (cfg *Config) withDefaults() {
	if cfg.Open == nil {
		cfg.Open = plib.Open
	}
	if cfg.Sessions <= 0 {
		cfg.Sessions = 4 * runtime.GOMAXPROCS(0)
	}
	if cfg.ShutdownTimeout <= 0 {
		cfg.ShutdownTimeout = 10 * time.Second
	}
	if cfg.UnixMode == 0 {
		cfg.UnixMode = 0o600
	}
	if cfg.Backlog <= 0 {
		cfg.Backlog = 1024
	}
	cfg.Protocol.Backlog = cfg.Backlog
	if cfg.Logf == nil {
		cfg.Logf = func(string, ...any) {}
	}
	if cfg.Protocol.Logf == nil {
		cfg.Protocol.Logf = cfg.Logf
	}
	if cfg.Options.Clock == nil {
		cfg.Options.Clock = plib.CoarseClock{}
	}
}

// Run opens the segment, serves it until ctx ends, then shuts down gracefully: it stops
// accepting, lets in-flight commands finish, closes the connections, stops the
// services, and closes the client (the data stays in the segment).
func Run(ctx context.Context, cfg Config) (err error) {
	cfg.withDefaults()
	ctx, shutdown := context.WithCancel(ctx)
	defer shutdown()
	if cfg.ShutdownCommand {
		cfg.Protocol.Shutdown = shutdown
	}
	if cfg.Listen == "" && cfg.Unix == "" {
		return errors.New("plibd: no listener (-listen or -unix)")
	}
	client, err := cfg.Open(cfg.Segment, cfg.Options)
	if err != nil {
		return fmt.Errorf("plibd: open segment %s: %w", cfg.Segment, err)
	}
	defer func() { err = errors.Join(err, client.Close()) }()
	be := protocol.NewPlibBackend(client, cfg.Sessions, cfg.Options.Clock)
	defer func() { err = errors.Join(err, be.Close()) }()
	d := &Daemon{logf: cfg.Logf, client: client, server: protocol.NewServer(be, cfg.Protocol)}
	listeners, err := listen(&cfg)
	if err != nil {
		return err
	}
	for _, l := range listeners {
		d.addrs = append(d.addrs, l.Addr())
	}
	if cfg.Unix != "" {
		defer os.Remove(cfg.Unix)
	}
	var udp net.PacketConn
	if cfg.UDP != "" {
		if udp, err = net.ListenPacket(strings.Replace(tcpNetwork(cfg.UDP), "tcp", "udp", 1), cfg.UDP); err != nil {
			for _, l := range listeners {
				l.Close()
			}
			return fmt.Errorf("plibd: %w", err)
		}
		d.addrs = append(d.addrs, udp.LocalAddr())
	}
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	var wg sync.WaitGroup
	errs := make(chan error, len(listeners)+len(cfg.Services)+1)
	for _, l := range listeners {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := d.server.Serve(l); !errors.Is(err, protocol.ErrServerClosed) {
				errs <- fmt.Errorf("plibd: serve %s: %w", l.Addr(), err)
			}
		}()
	}
	if udp != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := d.server.ServeUDP(udp); !errors.Is(err, protocol.ErrServerClosed) {
				errs <- fmt.Errorf("plibd: serve udp %s: %w", udp.LocalAddr(), err)
			}
		}()
	}
	for _, svc := range cfg.Services {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := svc.Run(runCtx, d); err != nil && runCtx.Err() == nil {
				errs <- err
			}
		}()
	}
	if cfg.Ready != nil {
		cfg.Ready(d)
	}
	select {
	case <-ctx.Done():
	case err = <-errs:
		cfg.Logf("plibd: %v; shutting down", err)
	}
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if serr := d.server.Shutdown(sctx); serr != nil {
		cfg.Logf("plibd: shutdown: %v", serr)
	}
	stop()
	wg.Wait()
	return err
}

// listen opens the TCP and unix listeners the config names.
func listen(cfg *Config) ([]net.Listener, error) {
	var ls []net.Listener
	fail := func(err error) ([]net.Listener, error) {
		for _, l := range ls {
			l.Close()
		}
		return nil, err
	}
	if cfg.Listen != "" {
		l, err := net.Listen(tcpNetwork(cfg.Listen), cfg.Listen)
		if err != nil {
			return fail(fmt.Errorf("plibd: %w", err))
		}
		ls = append(ls, l)
	}
	if cfg.Unix != "" {
		if fi, err := os.Lstat(cfg.Unix); err == nil && fi.Mode()&os.ModeSocket != 0 {
			if c, err := net.Dial("unix", cfg.Unix); err == nil {
				c.Close()
				return fail(fmt.Errorf("plibd: %s is in use by another server", cfg.Unix))
			}
			os.Remove(cfg.Unix) // a stale socket of an earlier run
		}
		l, err := net.Listen("unix", cfg.Unix)
		if err != nil {
			return fail(fmt.Errorf("plibd: %w", err))
		}
		l.(*net.UnixListener).SetUnlinkOnClose(false)
		if err := os.Chmod(cfg.Unix, cfg.UnixMode); err != nil {
			l.Close()
			return fail(fmt.Errorf("plibd: %w", err))
		}
		ls = append(ls, l)
	}
	for _, l := range ls {
		if err := setBacklog(l, cfg.Backlog); err != nil {
			return fail(fmt.Errorf("plibd: listen backlog %d: %w", cfg.Backlog, err))
		}
	}
	return ls, nil
}

// setBacklog sets l's listen(2) backlog: Linux takes a second listen on a listening
// socket as a new backlog (Go's net.Listen uses net.core.somaxconn).
func setBacklog(l net.Listener, backlog int) error {
	sc, ok := l.(syscall.Conn)
	if !ok {
		return nil
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return err
	}
	var lerr error
	if err := raw.Control(func(fd uintptr) { lerr = syscall.Listen(int(fd), backlog) }); err != nil {
		return err
	}
	return lerr
}

// tcpNetwork is "tcp4" for an IPv4 address (0.0.0.0 binds IPv4 only, as memcached's -l
// does, and reports itself so), else "tcp".
func tcpNetwork(addr string) string {
	if host, _, err := net.SplitHostPort(addr); err == nil {
		if ip := net.ParseIP(host); ip != nil && ip.To4() != nil {
			return "tcp4"
		}
	}
	return "tcp"
}
