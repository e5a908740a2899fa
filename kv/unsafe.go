package kv

import (
	"sync/atomic"
	"unsafe"
)

// mem is the region as raw memory: every typed load and store of region words goes through
// it, and it is the only place in package kv that uses unsafe.
//
// Why this is safe: the region is a []byte the caller keeps alive for the Store's life (a
// MAP_SHARED file mapping or a heap slice); base and size are taken from it once. Every
// offset passed here is either derived from the validated header (fixed layout) or has been
// checked by (*Store).validItem / validChunk / the table bounds checks before use, so no
// access falls outside [base, base+size). Words are naturally aligned because the region
// start is 64-byte aligned (checked at Format/Open) and every field offset is a multiple of
// its width. Nothing in the region is a Go pointer, so the garbage collector never needs to
// scan it and other processes may map it at other addresses.
type mem struct {
	base unsafe.Pointer
	size uint64
	// keep holds the slice so the GC keeps a heap-backed region alive.
	keep []byte
}

func newMem(b []byte) mem {
	return mem{base: unsafe.Pointer(unsafe.SliceData(b)), size: uint64(len(b)), keep: b}
}

func (m mem) ptr(off uint64) unsafe.Pointer { return unsafe.Add(m.base, off) }

func (m mem) u8(off uint64) uint8           { return *(*uint8)(m.ptr(off)) }
func (m mem) setU8(off uint64, v uint8)     { *(*uint8)(m.ptr(off)) = v }
func (m mem) u32(off uint64) uint32         { return *(*uint32)(m.ptr(off)) }
func (m mem) setU32(off uint64, v uint32)   { *(*uint32)(m.ptr(off)) = v }
func (m mem) u64(off uint64) uint64         { return *(*uint64)(m.ptr(off)) }
func (m mem) setU64(off uint64, v uint64)   { *(*uint64)(m.ptr(off)) = v }
func (m mem) a32(off uint64) *atomic.Uint32 { return (*atomic.Uint32)(m.ptr(off)) }
func (m mem) a64(off uint64) *atomic.Uint64 { return (*atomic.Uint64)(m.ptr(off)) }

// bytes returns the n region bytes at off as a slice aliasing the region.
func (m mem) bytes(off, n uint64) []byte { return unsafe.Slice((*byte)(m.ptr(off)), n) }
