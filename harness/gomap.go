package harness

import (
	"fmt"
	"strconv"
	"sync"
)

func init() {
	Register("gomap", openGomap, "a Go map behind one RWMutex in this process: the in-process floor")
}

// gomapBackend is the in-process floor: no protection, no sockets, no copies beyond the value.
type gomapBackend struct {
	mu sync.RWMutex
	m  map[string]*gomapValue
}

// gomapValue is a value's buffer, boxed so that an overwrite changes the buffer in place instead
// of writing the map (which would allocate a new key string).
type gomapValue struct{ b []byte }

// openGomap checks the estimated heap against available memory and presizes the map.
func openGomap(cfg Config) (Backend, error) {
	need := GomapFootprint(cfg.RecordCount, cfg.MaxKeySize, cfg.sizingValueSize())
	what := fmt.Sprintf("gomap for %d records of %d+%d B", cfg.RecordCount, cfg.MaxKeySize, cfg.sizingValueSize())
	if err := CheckMemory(what, need); err != nil {
		return nil, err
	}
	return &gomapBackend{m: make(map[string]*gomapValue, cfg.RecordCount)}, nil
}

// Name returns "gomap".
func (b *gomapBackend) Name() string { return "gomap" }

// NewWorker returns a worker; all workers share the map and its lock.
func (b *gomapBackend) NewWorker() (Worker, error) { return gomapWorker{b}, nil }

// Close drops the map.
func (b *gomapBackend) Close() error {
	b.mu.Lock()
	b.m = nil
	b.mu.Unlock()
	return nil
}

// gomapWorker is allocation-free except when a key is new or a value outgrows its buffer.
type gomapWorker struct{ b *gomapBackend }

// Get copies the value out under the read lock.
func (w gomapWorker) Get(key, dst []byte) ([]byte, error) {
	w.b.mu.RLock()
	defer w.b.mu.RUnlock()
	v, ok := w.b.m[string(key)]
	if !ok {
		return dst[:0], ErrNotFound
	}
	return append(dst[:0], v.b...), nil
}

// Set overwrites the stored buffer in place (growing it if needed); readers copy under the read
// lock, so no reader ever sees a half-written value.
func (w gomapWorker) Set(key, value []byte) error {
	w.b.mu.Lock()
	defer w.b.mu.Unlock()
	if v, ok := w.b.m[string(key)]; ok {
		v.b = append(v.b[:0], value...)
		return nil
	}
	w.b.m[string(key)] = &gomapValue{b: append([]byte(nil), value...)}
	return nil
}

// Delete removes key.
func (w gomapWorker) Delete(key []byte) error {
	w.b.mu.Lock()
	defer w.b.mu.Unlock()
	if _, ok := w.b.m[string(key)]; !ok {
		return ErrNotFound
	}
	delete(w.b.m, string(key))
	return nil
}

// Incr treats the value as an unsigned decimal, as memcached does, wrapping at 2^64.
func (w gomapWorker) Incr(key []byte, delta uint64) (uint64, error) {
	w.b.mu.Lock()
	defer w.b.mu.Unlock()
	v, ok := w.b.m[string(key)]
	if !ok {
		return 0, ErrNotFound
	}
	n, err := strconv.ParseUint(string(v.b), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("harness: incr of a non-numeric value under %q", key)
	}
	n += delta
	v.b = strconv.AppendUint(v.b[:0], n, 10)
	return n, nil
}

// Close does nothing: the worker holds no resources of its own.
func (w gomapWorker) Close() error { return nil }
