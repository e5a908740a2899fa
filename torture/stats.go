package torture

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// workerStats is a worker's figures, kept in a small file the worker maps MAP_SHARED and
// updates in place after every operation: a SIGKILL loses none of them, and the watchdog
// reads them (with the operation in flight) at any moment. Every field is 8 bytes wide or
// paired, so the Go layout and encoding/binary's agree.
type workerStats struct {
	Ops      uint64 // operations completed
	Sampled  uint64 // of which on sampled keys (logged)
	OOM      uint64 // stores refused for want of memory
	Failures uint64 // values that failed verification, unexpected errors
	MaxNs    int64
	// InflightSince is when the operation in flight started (CLOCK_MONOTONIC ns), 0
	// between operations; InflightOp and InflightKey name it.
	InflightSince int64
	InflightOp    uint32
	InflightKey   uint32
	Done          uint32 // the worker stopped gracefully
	Pad           uint32
	Hist          [histBuckets]uint64
	// AtKill counts the operations that were in flight when a worker was SIGKILLed (the
	// kill counter changed while they ran); AtKillMaxNs and AtKillHist are their latencies.
	AtKill      uint64
	AtKillMaxNs int64
	AtKillHist  [histBuckets]uint64
	// Busy counts the operations that returned plib.ErrBusy (a live client kept a lock
	// past Options.LockTimeout: the call changed nothing); BusyAtStart the attempts to get
	// a session that did (a dead slot's repair claim held by a stopped repairer).
	Busy        uint64
	BusyAtStart uint64
}

func statsPath(dir string, id uint64) string {
	return filepath.Join(dir, fmt.Sprintf("stats-%05d.bin", id))
}

// liveStats is the worker's mapping of its stats file. Go's time.Now is cheap (vDSO); it
// is converted to the shared CLOCK_MONOTONIC with an offset measured once.
type liveStats struct {
	s        *workerStats
	mem      []byte
	base     time.Time
	baseMono int64
	kills    *uint64 // the killer's count of kills (killCounter), or nil
	killsAt  uint64  // its value when the operation in flight began
}

func newLiveStats(dir string, id uint64) (*liveStats, error) {
	size := int(unsafe.Sizeof(workerStats{}))
	f, err := os.OpenFile(statsPath(dir, id), os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if err := f.Truncate(int64(size)); err != nil {
		return nil, err
	}
	mem, err := unix.Mmap(int(f.Fd()), 0, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		return nil, err
	}
	base := time.Now()
	l := &liveStats{s: (*workerStats)(unsafe.Pointer(&mem[0])), mem: mem, base: base, baseMono: monoNow()}
	l.kills, _ = mapKillCounter(dir, false)
	return l, nil
}

func (l *liveStats) mono(t time.Time) int64 { return l.baseMono + int64(t.Sub(l.base)) }

// begin marks an operation in flight.
func (l *liveStats) begin(op OpKind, key int, t time.Time) {
	l.s.InflightOp, l.s.InflightKey = uint32(op), uint32(key)
	atomic.StoreInt64(&l.s.InflightSince, l.mono(t))
	if l.kills != nil {
		l.killsAt = atomic.LoadUint64(l.kills)
	}
}

// end records a finished operation.
func (l *liveStats) end(sampled bool, start, end time.Time, res Result) {
	s, d := l.s, end.Sub(start).Nanoseconds()
	atomic.StoreInt64(&s.InflightSince, 0)
	if sampled {
		s.Sampled++
	}
	switch res {
	case ResOOM:
		s.OOM++
	case ResBusy:
		s.Busy++
	}
	s.Hist[bucketOf(d)]++
	s.MaxNs = max(s.MaxNs, d)
	if l.kills != nil && atomic.LoadUint64(l.kills) != l.killsAt {
		s.AtKill++
		s.AtKillHist[bucketOf(d)]++
		s.AtKillMaxNs = max(s.AtKillMaxNs, d)
	}
	atomic.AddUint64(&s.Ops, 1)
}

func (l *liveStats) failure() { atomic.AddUint64(&l.s.Failures, 1) }

func (l *liveStats) close(done bool) error {
	if done {
		atomic.StoreUint32(&l.s.Done, 1)
	}
	return unix.Munmap(l.mem)
}

// readStats reads a worker's stats file.
func readStats(dir string, id uint64) (workerStats, error) {
	var s workerStats
	b, err := os.ReadFile(statsPath(dir, id))
	if err != nil {
		return s, err
	}
	return s, binary.Read(bytes.NewReader(b), binary.NativeEndian, &s)
}

// mapKillCounter maps the run's kill counter, a file of 8 bytes the killer increments just
// before each SIGKILL and the workers read: an operation during which it changes was in
// flight when a worker died. The killer creates it (create), the workers map it read-only.
func mapKillCounter(dir string, create bool) (*uint64, error) {
	path, flag, prot := filepath.Join(dir, "kills.bin"), os.O_RDONLY, unix.PROT_READ
	if create {
		flag, prot = os.O_RDWR|os.O_CREATE|os.O_EXCL, unix.PROT_READ|unix.PROT_WRITE
	}
	f, err := os.OpenFile(path, flag, 0o644)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if create {
		if err := f.Truncate(8); err != nil {
			return nil, err
		}
	}
	mem, err := unix.Mmap(int(f.Fd()), 0, 8, prot, unix.MAP_SHARED)
	if err != nil {
		return nil, err
	}
	return (*uint64)(unsafe.Pointer(&mem[0])), nil
}
