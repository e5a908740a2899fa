package harness

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"

	"github.com/plibcached/plibcached/plib"
)

func init() {
	Register("plib-nopku", openPlibMode(plib.ModeNoPKU),
		"plib in this process, no protection keys: the paper's \"Plib, No Hodor\"")
	Register("plib-pku", openPlibMode(plib.ModePKU),
		"plib in this process, PKU trampolines around every call: the paper's \"Plib, w/ Hodor\"")
}

var plibSegments atomic.Int64

// plibBackend is a plib client on a segment sized for the records. Each worker holds a
// Session (one client slot), so its calls borrow nothing.
type plibBackend struct {
	name   string
	client *plib.Client
	shared bool
}

func openPlibMode(mode plib.Mode) OpenFunc {
	return func(cfg Config) (Backend, error) { return openPlib(mode, cfg) }
}

func openPlib(mode plib.Mode, cfg Config) (Backend, error) {
	name := "plib-" + mode.String()
	// Slots for this run's workers and then some: processes of a multi-process run attach
	// to a segment created by the loading process, which cannot know their number. Each
	// slot's scratch is one item, sized to the workload's largest.
	opts := plib.Options{Protection: mode, MaxClients: max(cfg.Workers+8, 64)}
	opts.MaxItemSize = int(max(4096, (cfg.MaxValueSize+cfg.MaxKeySize+64+4095)&^4095))
	size, err := plib.SegmentSizeFor(max(cfg.RecordCount, 1), max(cfg.MaxKeySize, 1), cfg.sizingValueSize(), opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	size += size / 20 // 5% headroom: updates allocate before they free
	size = (size + 4095) &^ 4095
	if err := CheckMemory(fmt.Sprintf("%s segment for %d records", name, cfg.RecordCount), size); err != nil {
		return nil, err
	}
	opts.Size, opts.ExpectedItems = size, cfg.RecordCount
	path := cfg.Segment
	if st, err := os.Stat(path); err == nil && st.Size() > 0 {
		opts.Size, opts.MaxClients, opts.MaxItemSize = 0, 0, 0 // attach: the segment's own sizes
	}
	if path == "" {
		path = filepath.Join("/dev/shm", fmt.Sprintf("plibcached-harness-%d-%d", os.Getpid(), plibSegments.Add(1)))
	}
	c, err := plib.Open(path, opts)
	if errors.Is(err, plib.ErrNoPKU) {
		return nil, fmt.Errorf("%w: %s: %w", ErrUnavailable, name, err)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if cfg.Segment == "" {
		os.Remove(path) // the mapping lives on; nothing is left behind, even on a crash
	}
	if opts.Size == 0 {
		cfg.logf("%s: attached to segment %s", name, path)
	} else {
		cfg.logf("%s: segment %s, %d MiB, %d client slots", name, path, size>>20, opts.MaxClients)
	}
	return &plibBackend{name: name, client: c, shared: cfg.Segment != ""}, nil
}

// Name returns "plib-pku" or "plib-nopku".
func (b *plibBackend) Name() string { return b.name }

// Persistent reports whether the segment is shared with other processes, whose loaded
// records it keeps.
func (b *plibBackend) Persistent() bool { return b.shared }

// NewWorker claims a client slot for one goroutine.
func (b *plibBackend) NewWorker() (Worker, error) {
	s, err := b.client.Session()
	if err != nil {
		return nil, err
	}
	return plibWorker{s}, nil
}

// Close unmaps the segment.
func (b *plibBackend) Close() error { return b.client.Close() }

type plibWorker struct{ s *plib.Session }

// Get reads into dst's spare capacity, growing it once if the value does not fit.
func (w plibWorker) Get(key, dst []byte) ([]byte, error) {
	m, err := w.s.GetInto(key, dst[:cap(dst)])
	if err == plib.ErrBufferTooSmall {
		dst = make([]byte, m.Len)
		m, err = w.s.GetInto(key, dst)
	}
	if err != nil {
		return dst[:0], plibErr(err)
	}
	return dst[:m.Len], nil
}

// Set stores value under key.
func (w plibWorker) Set(key, value []byte) error { return plibErr(w.s.Set(key, value, 0, 0)) }

// Delete removes key.
func (w plibWorker) Delete(key []byte) error { return plibErr(w.s.Delete(key)) }

// Incr adds delta to the number under key.
func (w plibWorker) Incr(key []byte, delta uint64) (uint64, error) {
	v, err := w.s.Incr(key, delta)
	return v, plibErr(err)
}

// Close returns the worker's slot.
func (w plibWorker) Close() error { return w.s.Close() }

func plibErr(err error) error {
	if err == plib.ErrCacheMiss {
		return ErrNotFound
	}
	return err
}
