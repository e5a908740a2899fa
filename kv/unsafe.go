package kv

import (
	"math"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"
)

// mem is the region as raw memory: every typed load and store of region words goes through
// it, and it is the only place in package kv that uses unsafe.
//
// Why this is safe: the region is a []byte the caller keeps alive for the Store's life (a
// MAP_SHARED file mapping or a heap slice); base and size are taken from it once and kept
// on the Go heap, where no other process can change them. Every other word of the region
// may be rewritten at any moment by any process that maps it, so no offset read from the
// region is trusted: every accessor checks that the whole word (or byte range) lies inside
// [base, base+size) and, if it does not, panics with a regionFault, which the Store's
// public methods turn into ErrCorrupt after undoing what the call had begun (guard.go).
// The check is one compare against a constant-per-Store bound, so a damaged link can
// corrupt the region further but can never make the store read or write outside it.
// Words are naturally aligned because the region start is 64-byte aligned (checked at
// Format/Open) and every field offset is a multiple of its width; an offset read from the
// region that is not aligned is refused by the callers' validItem/inPages checks, and an
// unaligned atomic access on amd64 is still an access inside the region. Nothing in the
// region is a Go pointer, so the garbage collector never needs to scan it and other
// processes may map it at other addresses.
//
// mem is two words, so the compiler keeps it in registers: a larger struct (it once held
// the slice too) is copied to the stack at every access, which cost more than the
// accesses. The Store keeps the slice (Store.region) so that a heap region stays alive.
type mem struct {
	base unsafe.Pointer
	size uint64
}

func newMem(b []byte) mem {
	return mem{base: unsafe.Pointer(unsafe.SliceData(b)), size: uint64(len(b))}
}

// at returns the address of the width-byte word at off, after checking that it lies in the
// region. size is at least the header's 4096 bytes, so size-width cannot wrap.
func (m mem) at(off, width uint64) unsafe.Pointer {
	if off > m.size-width {
		outOfRegion(off, width)
	}
	return unsafe.Add(m.base, off)
}

func (m mem) u8(off uint64) uint8           { return *(*uint8)(m.at(off, 1)) }
func (m mem) setU8(off uint64, v uint8)     { *(*uint8)(m.at(off, 1)) = v }
func (m mem) u32(off uint64) uint32         { return *(*uint32)(m.at(off, 4)) }
func (m mem) setU32(off uint64, v uint32)   { *(*uint32)(m.at(off, 4)) = v }
func (m mem) u64(off uint64) uint64         { return *(*uint64)(m.at(off, 8)) }
func (m mem) setU64(off uint64, v uint64)   { *(*uint64)(m.at(off, 8)) = v }
func (m mem) a32(off uint64) *atomic.Uint32 { return (*atomic.Uint32)(m.at(off, 4)) }
func (m mem) a64(off uint64) *atomic.Uint64 { return (*atomic.Uint64)(m.at(off, 8)) }

// bytes returns the n region bytes at off as a slice aliasing the region, after checking
// that all of them lie in the region.
func (m mem) bytes(off, n uint64) []byte {
	if off > m.size || n > m.size-off {
		outOfRegion(off, n)
	}
	return unsafe.Slice((*byte)(unsafe.Add(m.base, off)), n)
}

// futexWait sleeps while the lock word w holds val, for at most d, or until futexWake.
// The futex is not FUTEX_PRIVATE: keyed by the mapping's file and offset, it works between
// processes that map the region at different addresses (and on a heap region in tests).
// The kernel reads the word, which lies in the region (w came from mem.a32), and writes
// nothing. Errors (EAGAIN: the word changed; EINTR; ETIMEDOUT) all mean "look again".
func futexWait(w *atomic.Uint32, val uint32, d time.Duration) {
	ts := syscall.NsecToTimespec(int64(d))
	syscall.Syscall6(syscall.SYS_FUTEX, uintptr(unsafe.Pointer(w)), futexWaitOp, uintptr(val),
		uintptr(unsafe.Pointer(&ts)), 0, 0)
}

// futexWake wakes every client sleeping on the lock word w, in any process.
func futexWake(w *atomic.Uint32) {
	syscall.Syscall6(syscall.SYS_FUTEX, uintptr(unsafe.Pointer(w)), futexWakeOp, uintptr(math.MaxInt32), 0, 0, 0)
}

const (
	futexWaitOp = 0 // FUTEX_WAIT
	futexWakeOp = 1 // FUTEX_WAKE
)
