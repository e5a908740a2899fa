package harness

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/bradfitz/gomemcache/memcache"
)

func init() {
	Register("memcached", openMemcachedTCP,
		"stock memcached started by the harness, loopback TCP, clients via gomemcache")
	Register("memcached-unix", openMemcachedUnix,
		"stock memcached started by the harness, unix socket, clients via gomemcache")
}

// memcachedClientTimeout bounds one request. It is generous because an oversubscribed sweep (many
// more threads than cores) can stall a request for a scheduling quantum or several.
const memcachedClientTimeout = 10 * time.Second

// memcachedBackend is a harness-started memcached and the address its workers dial.
type memcachedBackend struct {
	name    string
	server  *MemcachedServer // nil when attached to another process's server
	network string
	addr    string
}

func openMemcachedTCP(cfg Config) (Backend, error) { return openMemcached("memcached", false, cfg) }
func openMemcachedUnix(cfg Config) (Backend, error) {
	return openMemcached("memcached-unix", true, cfg)
}

// openMemcached sizes, checks and starts the server.
func openMemcached(name string, unix bool, cfg Config) (Backend, error) {
	if _, err := FindMemcached(cfg.MemcachedBinary); err != nil {
		return nil, err
	}
	if cfg.Attach != "" {
		network, addr, err := parseAttach(cfg.Attach)
		if err != nil {
			return nil, err
		}
		return &memcachedBackend{name: name, network: network, addr: addr}, nil
	}
	memoryMB := MemcachedMemoryMB(cfg.RecordCount, cfg.MaxKeySize, cfg.sizingValueSize())
	need := MemcachedFootprint(memoryMB, cfg.RecordCount)
	what := fmt.Sprintf("memcached for %d records of %d+%d B (-m %d)", cfg.RecordCount, cfg.MaxKeySize, cfg.sizingValueSize(), memoryMB)
	if err := CheckMemory(what, need); err != nil {
		return nil, err
	}
	server, err := StartMemcached(MemcachedOptions{
		Binary:      cfg.MemcachedBinary,
		Threads:     cfg.ServerThreads,
		MemoryMB:    memoryMB,
		Connections: 2*cfg.Workers + 16,
		UnixSocket:  unix,
	})
	if err != nil {
		return nil, err
	}
	cfg.logf("memcached started: pid %d, %s %s, flags %s", server.Pid(), server.Network(), server.Addr(), strings.Join(server.Args(), " "))
	b := newMemcachedBackend(name, server)
	return &b, nil
}

// newMemcachedBackend returns the backend of a server the harness started.
func newMemcachedBackend(name string, server *MemcachedServer) memcachedBackend {
	return memcachedBackend{name: name, server: server, network: server.Network(), addr: server.Addr()}
}

// Name returns "memcached" or "memcached-unix".
func (b *memcachedBackend) Name() string { return b.name }

// Server returns the server the backend started; nil when attached to another's.
func (b *memcachedBackend) Server() *MemcachedServer { return b.server }

// Attachment returns "network:address": what another process passes as Config.Attach.
func (b *memcachedBackend) Attachment() string { return b.network + ":" + b.addr }

// Persistent reports whether the backend is attached to a server another process started, which
// keeps the records that process loaded.
func (b *memcachedBackend) Persistent() bool { return b.server == nil }

// NewWorker returns a worker with its own gomemcache client, hence its own connection. A client
// per worker keeps exactly one connection per worker without the clients' shared pool lock; its
// idle pool of 2 holds the worker's single connection, so nothing is ever redialled.
func (b *memcachedBackend) NewWorker() (Worker, error) {
	client := memcache.New(b.addr)
	client.Timeout = memcachedClientTimeout
	client.MaxIdleConns = 2
	if err := client.Ping(); err != nil { // dial now, not inside the first timed operation
		return nil, fmt.Errorf("%s: connect to %s: %w", b.name, b.addr, err)
	}
	return &memcachedWorker{client: client}, nil
}

// Close stops the server if this backend started it.
func (b *memcachedBackend) Close() error {
	if b.server == nil {
		return nil
	}
	return b.server.Stop()
}

// memcachedWorker adapts gomemcache to Worker. gomemcache takes string keys and returns fresh
// Items; keys are passed as unsafe views (gomemcache does not keep them) and values copied into
// the caller's buffer, so the allocations left are gomemcache's own.
type memcachedWorker struct {
	client *memcache.Client
	item   memcache.Item
}

// Get appends the value to dst[:0].
func (w *memcachedWorker) Get(key, dst []byte) ([]byte, error) {
	it, err := w.client.Get(unsafeString(key))
	if err != nil {
		return dst[:0], memcachedError(err)
	}
	return append(dst[:0], it.Value...), nil
}

// Set stores value under key.
func (w *memcachedWorker) Set(key, value []byte) error {
	w.item.Key, w.item.Value = unsafeString(key), value
	err := w.client.Set(&w.item)
	w.item.Key, w.item.Value = "", nil // keep no reference to the caller's buffers
	return memcachedError(err)
}

// Delete removes key.
func (w *memcachedWorker) Delete(key []byte) error {
	return memcachedError(w.client.Delete(unsafeString(key)))
}

// Incr adds delta to the counter under key.
func (w *memcachedWorker) Incr(key []byte, delta uint64) (uint64, error) {
	v, err := w.client.Increment(unsafeString(key), delta)
	return v, memcachedError(err)
}

// Close closes the worker's connection.
func (w *memcachedWorker) Close() error { return w.client.Close() }

// memcachedError maps gomemcache's miss to ErrNotFound.
func memcachedError(err error) error {
	if errors.Is(err, memcache.ErrCacheMiss) {
		return ErrNotFound
	}
	return err
}
