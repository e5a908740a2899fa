package harness

import (
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/plibcached/plibcached/workloads"
)

// opKind indexes a worker's recorders.
type opKind uint8

const (
	kindRead opKind = iota
	kindUpdate
	kindInsert
	kindReadModifyWrite
	numKinds
)

// kindNames are YCSB's operation names.
var kindNames = [numKinds]string{"READ", "UPDATE", "INSERT", "READ-MODIFY-WRITE"}

// workerSlot is one worker goroutine's state: its backend handle, its recorders and its buffers.
// Only its own goroutine touches it during a phase, except done, which the progress display reads.
type workerSlot struct {
	index     int // global thread index among all processes' workers
	backend   string
	worker    Worker
	recorders [numKinds]*opRecorder
	key       []byte
	value     []byte
	read      []byte
	version   uint64
	measured  int64        // top-level operations recorded; read after the phase's goroutines end
	done      atomic.Int64 // operations completed, warm-up included
	_         [64]byte     // keep neighbouring slots' done counters off this cache line
}

// recorder returns the recorder for kind, creating it on first use (once per worker and kind).
func (s *workerSlot) recorder(kind opKind) *opRecorder {
	if s.recorders[kind] == nil {
		s.recorders[kind] = newOpRecorder()
	}
	return s.recorders[kind]
}

// nextVersion returns a version number unique to this worker for an update's value.
func (s *workerSlot) nextVersion() uint64 {
	s.version++
	return uint64(s.index+1)<<40 | s.version
}

// timedGet reads s.key into s.read and verifies it. Only the backend call is timed. A miss is
// reported, not an error; a value failing its checksum is an error wrapping ErrCorruptRead.
func (s *workerSlot) timedGet() (time.Duration, bool, error) {
	start := time.Now()
	value, err := s.worker.Get(s.key, s.read[:0])
	elapsed := time.Since(start)
	s.read = value
	if err == ErrNotFound || errors.Is(err, ErrNotFound) {
		return elapsed, true, nil
	}
	if err != nil {
		return elapsed, false, fmt.Errorf("%s: get %q: %w", s.backend, s.key, err)
	}
	if err := workloads.VerifyValue(s.key, value); err != nil {
		return elapsed, false, fmt.Errorf("%w: %s: key %q, %d bytes read: %w", ErrCorruptRead, s.backend, s.key, len(value), err)
	}
	return elapsed, false, nil
}

// timedSet stores s.value under s.key; only the backend call is timed.
func (s *workerSlot) timedSet() (time.Duration, error) {
	start := time.Now()
	err := s.worker.Set(s.key, s.value)
	elapsed := time.Since(start)
	if err != nil {
		return elapsed, fmt.Errorf("%s: set %q (%d bytes): %w", s.backend, s.key, len(s.value), err)
	}
	return elapsed, nil
}

// do performs one workload operation, recording its latency when record is set. As in YCSB, a
// read-modify-write also records its read under READ and its write under UPDATE.
func (s *workerSlot) do(w *workloads.CoreWorkload, t *workloads.Thread, op workloads.Op, record bool) error {
	s.key = w.KeyName(s.key[:0], op.KeyNum)
	switch op.Type {
	case workloads.OpRead:
		d, miss, err := s.timedGet()
		if err != nil {
			return err
		}
		if record {
			s.recorder(kindRead).record(d, miss)
		}
	case workloads.OpUpdate:
		s.value = t.Value(s.value[:0], s.key, s.nextVersion())
		d, err := s.timedSet()
		if err != nil {
			return err
		}
		if record {
			s.recorder(kindUpdate).record(d, false)
		}
	case workloads.OpInsert:
		s.value = t.Value(s.value[:0], s.key, 0)
		d, err := s.timedSet()
		if err != nil {
			return err
		}
		t.Acknowledge(op.KeyNum)
		if record {
			s.recorder(kindInsert).record(d, false)
		}
	case workloads.OpReadModifyWrite:
		return s.readModifyWrite(t, record)
	default:
		return fmt.Errorf("%w: %v", ErrUnsupportedOp, op.Type)
	}
	return nil
}

// readModifyWrite reads s.key, writes it back with the next version, and records both halves and
// their sum. The checksum check and the new value's construction are not timed.
func (s *workerSlot) readModifyWrite(t *workloads.Thread, record bool) error {
	readTime, miss, err := s.timedGet()
	if err != nil {
		return err
	}
	if miss {
		if record {
			s.recorder(kindRead).record(readTime, true)
			s.recorder(kindReadModifyWrite).record(readTime, true)
		}
		return nil
	}
	version, err := workloads.ValueVersion(s.read)
	if err != nil {
		return fmt.Errorf("%w: %s: key %q: %w", ErrCorruptRead, s.backend, s.key, err)
	}
	s.value = t.Value(s.value[:0], s.key, version+1)
	writeTime, err := s.timedSet()
	if err != nil {
		return err
	}
	if record {
		s.recorder(kindRead).record(readTime, false)
		s.recorder(kindUpdate).record(writeTime, false)
		s.recorder(kindReadModifyWrite).record(readTime+writeTime, false)
	}
	return nil
}
