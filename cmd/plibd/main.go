// Command plibd serves a plibcached segment to remote clients over memcached's text and
// meta protocols, beside the local processes that map the segment through package plib.
//
//	plibd -segment plibd -memory 256 -listen 127.0.0.1:11211 -unix /run/plibd.sock
//	plibd -memfd -handoff /run/plibd.fd -allow 'uid=1000 gid=100' -memory 256
//
// With -memfd the segment lives in an anonymous sealed memfd that is in no filesystem, and
// local processes attach with plib.Dial(handoff socket) only if their uid or gid is on the
// -allow list; the data then lasts as long as plibd or a client holds it. Otherwise the
// segment is a file (under /dev/shm by default) that survives restarts, and any process
// that can open it attaches with plib.Open. Either way plibd watches its local clients'
// pidfds and repairs after one that dies at once. It shuts down gracefully on SIGTERM or
// SIGINT. The logic lives in package plibd.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"runtime"
	"syscall"

	"github.com/plibcached/plibcached/plib"
	"github.com/plibcached/plibcached/plib/handoff"
	"github.com/plibcached/plibcached/plibd"
	"github.com/plibcached/plibcached/protocol"
)

// plibDefaultSize is plib's segment size when -memory is 0 (plib.Options.Size's default).
const plibDefaultSize = 256 << 20

func main() {
	cfg, err := parseFlags(os.Args[1:], os.Stderr)
	if err != nil {
		os.Exit(2)
	}
	logger := log.New(os.Stderr, "", log.LstdFlags)
	cfg.Logf = logger.Printf
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	if err := plibd.Run(ctx, cfg); err != nil {
		logger.Print(err)
		os.Exit(1)
	}
}

// parseFlags builds the daemon's Config from its command line.
func parseFlags(args []string, stderr io.Writer) (plibd.Config, error) {
	fs := flag.NewFlagSet("plibd", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg plibd.Config
	fs.StringVar(&cfg.Segment, "segment", "plibd", "segment path; a bare name lives under /dev/shm")
	memory := fs.Int64("memory", 0, "segment size in MiB when creating it (0: plib's default)")
	itemMemory := fs.Int64("item-memory", 0, "with no -memory: size the segment for this many MiB of items besides its tables and client slots (memcached's -m)")
	itemMax := itemSizeFlag(1 << 20)
	fs.Var(&itemMax, "max-item-size", "largest item in bytes, with an optional k or m suffix (memcached's -I; 1k to 1/2 of -memory, at most 1g)")
	fs.Int64Var(&cfg.Options.ExpectedItems, "items", 0, "items the hash table is sized for when creating the segment")
	fs.IntVar(&cfg.Options.MaxClients, "clients", 0, "client slots when creating the segment (0: plib's default)")
	fs.IntVar(&cfg.Sessions, "sessions", 0, "client slots plibd holds at most (0: 4 per CPU)")
	fs.StringVar(&cfg.Listen, "listen", "127.0.0.1:11211", "TCP address of the text protocol (empty: none)")
	fs.StringVar(&cfg.Unix, "unix", "", "unix socket path of the text protocol")
	fs.StringVar(&cfg.UDP, "udp", "", "UDP address of the text protocol (memcached's -U; empty: none, memcached's default)")
	fs.IntVar(&cfg.Backlog, "backlog", 1024, "listen backlog of the TCP and unix sockets (memcached's -b)")
	binding := fs.String("protocol", "auto", "protocols served: auto (text and meta; a binary client is told each command is unknown), ascii, or binary (memcached's -B)")
	fs.IntVar(&cfg.Protocol.MaxConns, "conns", 1024, "most simultaneous connections (memcached's -c; 0: no limit)")
	procs := fs.Int("procs", 0, "threads running Go code (GOMAXPROCS) and event loops (memcached's -t); 0: every CPU")
	protection := fs.String("protection", "nopku", "protection mode: pku or nopku")
	memfd := fs.Bool("memfd", false, "keep the segment in an anonymous sealed memfd, handed out over -handoff (not on any filesystem)")
	handoffSock := fs.String("handoff", "", "with -memfd: unix socket where allowed local processes get the segment (plib.Dial)")
	allow := fs.String("allow", "", `with -memfd: who may have the segment, e.g. "uid=1000,1001 gid=100" (default: nobody)`)
	watch := fs.Bool("watch", true, "watch the local clients' pidfds and repair after one that dies at once")
	fs.BoolVar(&cfg.ShutdownCommand, "enable-shutdown", false, "serve the shutdown command, which stops plibd gracefully (memcached's -A)")
	fs.BoolVar(&cfg.Protocol.CASDisabled, "disable-cas", false, "hide CAS ids, as memcached's -C (the store keeps them)")
	fs.BoolVar(&cfg.Options.NoEvict, "no-evict", false, "answer out of memory rather than evict a live item (memcached's -M)")
	fs.BoolVar(&cfg.Protocol.FlushDisabled, "disable-flush", false, "refuse flush_all (memcached's -F)")
	fs.DurationVar(&cfg.Protocol.IdleTimeout, "idle-timeout", 0, "close connections idle this long (memcached's -o idle_timeout; 0: never)")
	bufLimit := fs.Int("read-buf-mem-limit", 0, "MiB of network buffers for all connections, counted as memcached counts them (memcached's -o read_buf_mem_limit; 0: no limit)")
	fs.IntVar(&cfg.Protocol.ReqsPerEvent, "reqs-per-event", 20, "commands one connection runs in a row before yielding to others (memcached's -R)")
	debugtime := fs.Bool("debugtime", false, "serve memcached-debug's debugtime command, which moves the store's clock (tests only)")
	var err error
	if err = fs.Parse(args); err != nil {
		return cfg, err
	}
	switch *protection {
	case "pku":
		cfg.Options.Protection = plib.ModePKU
	case "nopku":
		cfg.Options.Protection = plib.ModeNoPKU
	default:
		err := fmt.Errorf("plibd: -protection %q: want pku or nopku", *protection)
		fmt.Fprintln(stderr, err)
		return cfg, err
	}
	if cfg.Protocol.Binding, err = protocol.ParseBinding(*binding); err != nil {
		fmt.Fprintln(stderr, "plibd: -protocol:", err)
		return cfg, err
	}
	if fs.NArg() > 0 {
		err := fmt.Errorf("plibd: unexpected arguments %q", fs.Args())
		fmt.Fprintln(stderr, err)
		return cfg, err
	}
	if *procs > 0 {
		runtime.GOMAXPROCS(*procs)
	}
	cfg.Options.Size = *memory << 20
	cfg.Options.MaxItemSize = int(itemMax)
	size := cfg.Options.Size
	switch {
	case *memory == 0 && *itemMemory > 0:
		size = *itemMemory << 20
		seg, err := plib.SegmentSizeForItemMemory(size, cfg.Options)
		if err != nil {
			fmt.Fprintln(stderr, "plibd: -item-memory:", err)
			return cfg, err
		}
		cfg.Options.Size = seg
	case size == 0:
		size = plibDefaultSize
	}
	if err := checkItemSize(int(itemMax), size); err != nil {
		fmt.Fprintln(stderr, err)
		return cfg, err
	}
	cfg.Protocol.ItemSizeMax = int(itemMax)
	cfg.Protocol.NoEvict = cfg.Options.NoEvict
	cfg.Protocol.ReadBufMemLimit = *bufLimit << 20
	if *debugtime {
		cfg.Protocol.DebugClock = &protocol.DebugClock{Base: plib.CoarseClock{}}
		cfg.Options.Clock = cfg.Protocol.DebugClock
	}
	if *watch {
		cfg.Services = append(cfg.Services, &plibd.SlotWatcher{})
	}
	if err := accessFlags(&cfg, *memfd, *handoffSock, *allow); err != nil {
		fmt.Fprintln(stderr, err)
		return cfg, err
	}
	return cfg, nil
}

// accessFlags sets up the memfd segment and its handoff socket.
func accessFlags(cfg *plibd.Config, memfd bool, socket, allow string) error {
	if !memfd {
		if socket != "" || allow != "" {
			return errors.New("plibd: -handoff and -allow need -memfd")
		}
		return nil
	}
	if socket == "" {
		return errors.New("plibd: -memfd needs -handoff SOCKET (else no process could attach)")
	}
	policy, err := handoff.ParsePolicy(allow)
	if err != nil {
		return fmt.Errorf("plibd: -allow: %w", err)
	}
	h := &plibd.Handoff{Socket: socket, Policy: policy}
	cfg.Open = func(name string, opts plib.Options) (*plib.Client, error) {
		c, f, err := plib.CreateMemfd(name, opts)
		if err != nil {
			return nil, err
		}
		h.Segment = f
		return c, nil
	}
	cfg.Services = append(cfg.Services, h)
	return nil
}
