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
	name   string
	server *MemcachedServer
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
	return &memcachedBackend{name: name, server: server}, nil
}

// Name returns "memcached" or "memcached-unix".
func (b *memcachedBackend) Name() string { return b.name }

// Server returns the server the backend started.
func (b *memcachedBackend) Server() *MemcachedServer { return b.server }

// NewWorker returns a worker with its own gomemcache client, hence its own connection. A client
// per worker keeps exactly one connection per worker without the clients' shared pool lock; its
// idle pool of 2 holds the worker's single connection, so nothing is ever redialled.
func (b *memcachedBackend) NewWorker() (Worker, error) {
	client := memcache.New(b.server.Addr())
	client.Timeout = memcachedClientTimeout
	client.MaxIdleConns = 2
	if err := client.Ping(); err != nil { // dial now, not inside the first timed operation
		return nil, fmt.Errorf("%s: connect to %s: %w", b.name, b.server.Addr(), err)
	}
	return &memcachedWorker{client: client}, nil
}

// Close stops the server.
func (b *memcachedBackend) Close() error { return b.server.Stop() }

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
