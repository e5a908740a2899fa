//go:build cgo

package harness

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"

	"github.com/PowerDNS/lmdb-go/lmdb"
)

func init() {
	Register("lmdb", openLMDB,
		"LMDB (PowerDNS/lmdb-go, cgo) on a file under /dev/shm, a read txn per Get, a write txn per Set (context: not in the paper)")
}

// LMDB's environment flags here: a memory store like the others (no fsync of data or meta
// pages: MDB_NOSYNC, MDB_NOMETASYNC), the database a single file (MDB_NOSUBDIR), written through
// the map (MDB_WRITEMAP: LMDB's documented fastest mode for a database that fits in memory, no
// malloc'd dirty pages copied at commit), reader slots tied to transactions, not OS threads
// (MDB_NOTLS, which Go's goroutines need), and no readahead (MDB_NORDAHEAD: random access).
const lmdbFlags = lmdb.NoSubdir | lmdb.NoSync | lmdb.NoMetaSync | lmdb.WriteMap | lmdb.NoTLS | lmdb.NoReadahead

// LMDB's B+tree sizing: 4 KiB pages, a node is its key and value plus an 8-byte header and a
// 2-byte slot, and a value too large for a node half a page goes to overflow pages of its own.
const (
	lmdbPage          = 4096
	lmdbNodeOverhead  = 10
	lmdbNodeMax       = (lmdbPage - 16) / 2
	lmdbFill          = 1.5 // leaf pages split in halves under random inserts: 2/3 full on average
	lmdbMapHeadroom   = 3   // copy-on-write: pages freed by a commit are reused only later
	lmdbMinMapSize    = 64 << 20
	lmdbDefaultReader = 126
)

var lmdbEnvs atomic.Int64

// LMDBFootprint estimates the resident size of n records of keySize+valueSize in LMDB.
func LMDBFootprint(n int64, keySize, valueSize int) int64 {
	node := keySize + valueSize + lmdbNodeOverhead
	if node <= lmdbNodeMax {
		return int64(float64(n) * float64(node) * lmdbFill)
	}
	pages := (valueSize + 16 + lmdbPage - 1) / lmdbPage
	return n*int64(pages*lmdbPage) + int64(float64(n)*float64(keySize+8+lmdbNodeOverhead)*lmdbFill)
}

// lmdbBackend is an LMDB environment on one file, opened by this process.
type lmdbBackend struct {
	env    *lmdb.Env
	dbi    lmdb.DBI
	path   string
	shared bool
}

// openLMDB opens (creating it, or attaching to cfg.Segment when another process created it) an
// environment sized for the records. Any failure of the binding or the C library makes the
// backend unavailable, with the reason.
func openLMDB(cfg Config) (Backend, error) {
	need := LMDBFootprint(max(cfg.RecordCount, 1), max(cfg.MaxKeySize, 1), cfg.sizingValueSize())
	if err := CheckMemory(fmt.Sprintf("lmdb for %d records of %d+%d B", cfg.RecordCount, cfg.MaxKeySize, cfg.sizingValueSize()), need); err != nil {
		return nil, err
	}
	mapSize := max(need*lmdbMapHeadroom, lmdbMinMapSize)
	mapSize = (mapSize + lmdbPage - 1) &^ (lmdbPage - 1)
	path := cfg.Segment
	if path == "" {
		path = filepath.Join("/dev/shm", fmt.Sprintf("plibcached-lmdb-%d-%d", os.Getpid(), lmdbEnvs.Add(1)))
	}
	env, err := lmdb.NewEnv()
	if err != nil {
		return nil, fmt.Errorf("%w: lmdb: %w", ErrUnavailable, err)
	}
	fail := func(step string, err error) (Backend, error) {
		env.Close()
		return nil, fmt.Errorf("%w: lmdb: %s %s: %w", ErrUnavailable, step, path, err)
	}
	if err := env.SetMapSize(mapSize); err != nil {
		return fail("set map size", err)
	}
	if err := env.SetMaxReaders(max(lmdbDefaultReader, 2*cfg.Workers+16)); err != nil {
		return fail("set max readers", err)
	}
	if err := env.Open(path, lmdbFlags, 0o600); err != nil {
		return fail("open", err)
	}
	if cfg.Segment == "" { // private: the mappings live on, nothing is left behind
		os.Remove(path)
		os.Remove(path + "-lock")
	}
	var dbi lmdb.DBI
	if err := env.Update(func(txn *lmdb.Txn) (err error) { dbi, err = txn.OpenRoot(0); return err }); err != nil {
		return fail("open the root database", err)
	}
	cfg.logf("lmdb: %s, map %s, flags NOSUBDIR|NOSYNC|NOMETASYNC|WRITEMAP|NOTLS|NORDAHEAD", path, FormatBytes(mapSize))
	return &lmdbBackend{env: env, dbi: dbi, path: path, shared: cfg.Segment != ""}, nil
}

// Name returns "lmdb".
func (b *lmdbBackend) Name() string { return "lmdb" }

// Persistent reports whether the environment is a file shared with other processes, which
// keeps the records any of them loaded.
func (b *lmdbBackend) Persistent() bool { return b.shared }

// NewWorker returns a worker holding one read transaction, reset between Gets and renewed for
// each (LMDB's documented way to run many short read transactions: a new snapshot each time,
// without reallocating the reader slot).
func (b *lmdbBackend) NewWorker() (Worker, error) {
	txn, err := b.env.BeginTxn(nil, lmdb.Readonly)
	if err != nil {
		return nil, fmt.Errorf("lmdb: begin a read transaction: %w", err)
	}
	txn.RawRead = true
	txn.Reset()
	return &lmdbWorker{b: b, read: txn}, nil
}

// Close closes the environment; a private one's files are already gone.
func (b *lmdbBackend) Close() error { return b.env.Close() }

// RemoveLMDB removes a shared environment's files: the data file at path and its lock file.
func RemoveLMDB(path string) error {
	err := os.Remove(path)
	if errors.Is(err, os.ErrNotExist) {
		err = nil
	}
	if e := os.Remove(path + "-lock"); e != nil && !errors.Is(e, os.ErrNotExist) {
		err = errors.Join(err, e)
	}
	return err
}

// lmdbWorker runs each Get in its own read transaction and each Set, Delete and Incr in its own
// write transaction (LMDB has one writer at a time, across processes too).
type lmdbWorker struct {
	b    *lmdbBackend
	read *lmdb.Txn
}

// Get copies the value out of the map inside a read transaction.
func (w *lmdbWorker) Get(key, dst []byte) ([]byte, error) {
	if err := w.read.Renew(); err != nil {
		return dst[:0], err
	}
	v, err := w.read.Get(w.b.dbi, key)
	if err == nil {
		dst = append(dst[:0], v...)
	}
	w.read.Reset()
	if lmdb.IsNotFound(err) {
		return dst[:0], ErrNotFound
	}
	if err != nil {
		return dst[:0], err
	}
	return dst, nil
}

// Set puts value under key in a write transaction.
func (w *lmdbWorker) Set(key, value []byte) error {
	return w.b.env.Update(func(txn *lmdb.Txn) error { return txn.Put(w.b.dbi, key, value, 0) })
}

// Delete removes key in a write transaction.
func (w *lmdbWorker) Delete(key []byte) error {
	err := w.b.env.Update(func(txn *lmdb.Txn) error { return txn.Del(w.b.dbi, key, nil) })
	if lmdb.IsNotFound(err) {
		return ErrNotFound
	}
	return err
}

// Incr reads, adds and writes back the decimal counter in one write transaction, wrapping at
// 2^64 as memcached does.
func (w *lmdbWorker) Incr(key []byte, delta uint64) (uint64, error) {
	var n uint64
	err := w.b.env.Update(func(txn *lmdb.Txn) error {
		txn.RawRead = true
		v, err := txn.Get(w.b.dbi, key)
		if err != nil {
			return err
		}
		if n, err = strconv.ParseUint(string(v), 10, 64); err != nil {
			return fmt.Errorf("harness: incr of a non-numeric value under %q", key)
		}
		n += delta
		return txn.Put(w.b.dbi, key, strconv.AppendUint(nil, n, 10), 0)
	})
	if lmdb.IsNotFound(err) {
		return 0, ErrNotFound
	}
	return n, err
}

// Close aborts the worker's read transaction, freeing its reader slot.
func (w *lmdbWorker) Close() error {
	w.read.Abort()
	return nil
}
