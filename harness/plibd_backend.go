package harness

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/plibcached/plibcached/plib"
)

func init() {
	Register("plibd", openPlibd,
		"cmd/plibd started by the harness over a fresh segment, loopback TCP, clients via gomemcache (as memcached)")
}

// ErrPlibdNotFound: the plibd binary is not built. `make bin/plibd` (or `go build -o bin/plibd
// ./cmd/plibd`) builds it where the harness looks.
var ErrPlibdNotFound = fmt.Errorf("%w: plibd binary not found: run `make bin/plibd` (or set PLIBD_BINARY)", ErrUnavailable)

// FindPlibd returns the plibd executable: $PLIBD_BINARY, else plibd on PATH, else bin/plibd
// under the working directory or one of its parents (the repository root when run from a
// package directory by go test).
func FindPlibd() (string, error) {
	if p := os.Getenv("PLIBD_BINARY"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("%w: PLIBD_BINARY: %v", ErrPlibdNotFound, err)
		}
		return p, nil
	}
	if p, err := exec.LookPath("plibd"); err == nil {
		return p, nil
	}
	dir, err := os.Getwd()
	for err == nil {
		p := filepath.Join(dir, "bin", "plibd")
		if st, e := os.Stat(p); e == nil && !st.IsDir() {
			return p, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	return "", ErrPlibdNotFound
}

// openPlibd sizes a segment for the records as the plib backends do, and starts plibd over
// it with its default thread count (see cmd/plibd -procs) unless PLIBD_PROCS is set.
func openPlibd(cfg Config) (Backend, error) {
	path, err := FindPlibd()
	if err != nil {
		return nil, err
	}
	opts := plib.Options{MaxItemSize: plibMaxItem(cfg), ExpectedItems: cfg.RecordCount, MaxClients: 2*cfg.Workers + 8}
	size, err := plib.SegmentSizeFor(cfg.RecordCount, cfg.MaxKeySize, cfg.sizingValueSize(), opts)
	if err != nil {
		return nil, err
	}
	if err := CheckMemory(fmt.Sprintf("plibd segment for %d records", cfg.RecordCount), size); err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("/dev/shm", "plibcached-plibd-")
	if err != nil {
		return nil, err
	}
	// plibd runs with its own default thread count (-procs 0: every CPU) unless
	// PLIBD_PROCS says otherwise (cmd/plibdbench -plibd-procs).
	procs := 0
	if n, err := strconv.Atoi(os.Getenv("PLIBD_PROCS")); err == nil && n > 0 {
		procs = n
	}
	server, err := startServer(path, MemcachedOptions{serverArgs: func(addr string) []string {
		return []string{"-listen", addr, "-segment", filepath.Join(dir, "segment"),
			"-memory", strconv.FormatInt((size+1<<20-1)>>20, 10), "-items", strconv.FormatInt(cfg.RecordCount, 10),
			"-max-item-size", strconv.Itoa(opts.MaxItemSize), "-clients", strconv.Itoa(opts.MaxClients),
			"-sessions", strconv.Itoa(opts.MaxClients - 4), "-protection", "nopku", "-procs", strconv.Itoa(procs)}
	}, serverEnv: []string{"GOMAXPROCS="}})
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	cfg.logf("plibd started: pid %d, %s %s, flags %s", server.Pid(), server.Network(), server.Addr(), strings.Join(server.Args(), " "))
	return &plibdBackend{newMemcachedBackend("plibd", server), dir}, nil
}

// plibMaxItem is the item size limit for cfg's records: memcached's default 1 MiB, or more
// for larger values.
func plibMaxItem(cfg Config) int {
	return max(1<<20, plib.ItemSize(cfg.MaxKeySize, cfg.MaxValueSize))
}

// plibdBackend is memcachedBackend (gomemcache workers against the server's address) plus
// the segment directory to remove.
type plibdBackend struct {
	memcachedBackend
	dir string
}

// Close stops plibd and removes its segment.
func (b *plibdBackend) Close() error {
	err := b.server.Stop()
	return errors.Join(err, os.RemoveAll(b.dir))
}
