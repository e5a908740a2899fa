package kv

import (
	"fmt"
	"runtime"
	"strings"
)

// Every word of the region can be rewritten at any moment by any process that maps it, so
// the store reads the region the way a kernel reads user memory: an offset, length, class
// or count that would take an access outside the region, or a Go-side table out of range,
// is a damaged region, never a fault. The accessors (unsafe.go) and the few places that
// index Go-side tables with region values panic with a regionFault; a lock waited for past
// Options.LockTimeout panics with a *BusyError. Every public method that takes a lock
// defers recoverOp, which turns those panics into returned errors after aborting the call
// exactly as crash repair would abort a client killed at that instruction: its undo log is
// rolled back to the last commit point, the multi-step work its journal records is finished
// or undone, every lock it holds is released, and a chunk it had allocated but not linked
// is freed. Nothing the call began is left half-done, and no other client waits for it.

// regionFault is the panic value for a damaged region: an access at off of n bytes outside
// it, or a value read from it (a class id, a journal count) that names nothing.
type regionFault struct {
	what   string
	off, n uint64
}

func (f regionFault) error() error {
	if f.what != "" {
		return fmt.Errorf("%w: %s %d", ErrCorrupt, f.what, f.off)
	}
	return fmt.Errorf("%w: access of %d bytes at offset %d outside the region", ErrCorrupt, f.n, f.off)
}

// outOfRegion panics with a regionFault. It is never inlined, so the accessors that call
// it stay small enough to be.
//
//go:noinline
func outOfRegion(off, n uint64) { panic(regionFault{off: off, n: n}) }

// corrupt panics with a regionFault naming what was wrong with the value v.
//
//go:noinline
func corrupt(what string, v uint64) { panic(regionFault{what: what, off: v}) }

// recoverOp is deferred by every public method that takes the store's locks, with the
// method's named error result. On a regionFault or *BusyError panic it aborts the call
// (abortCall) and sets *err; any other panic is a bug in the store and goes on up. On a
// normal return, or runtime.Goexit (the crash tests stop a client with it), it does nothing.
func (s *Store) recoverOp(hold uint32, err *error) {
	r := recover()
	if r == nil {
		return
	}
	e := panicError(r)
	if e == nil {
		panic(r)
	}
	s.abortCall(hold)
	*err = e
}

// panicError returns the error that a recovered panic value stands for, or nil if it is
// not one that a damaged region or a busy lock explains. A Go bounds or division check that
// fails on a value read from the region (one a hostile writer changed between its
// validation and its use) counts as damage too; its message is kept, so a real bug in the
// store still says where it is.
func panicError(r any) error {
	switch v := r.(type) {
	case regionFault:
		return v.error()
	case *BusyError:
		return v
	case runtime.Error:
		if msg := v.Error(); strings.Contains(msg, "out of range") || strings.Contains(msg, "divide by zero") {
			return fmt.Errorf("%w: %s", ErrCorrupt, msg)
		}
	}
	return nil
}

// abortCall undoes what a call by hold had begun and releases everything it holds, as lock
// repair would after hold's death at this instruction, then frees a chunk it had allocated
// and not linked. Doing so may itself meet damage or a busy lock (the page lock): then it
// stops where it is, and what is left (locks still naming hold, a journal to roll back)
// is what a crash would leave, repaired when the slot's process dies or the slot is
// recovered.
func (s *Store) abortCall(hold uint32) {
	defer func() {
		if r := recover(); r != nil && panicError(r) == nil {
			panic(r)
		}
	}()
	s.repairLocked(hold)
	if it := s.m.u64(s.journal(hold) + jAlloc); it != 0 {
		if _, err := s.freeLeaked(hold, it); err != nil {
			s.m.setU64(s.journal(hold)+jAlloc, 0) // no chunk: a damaged record
		}
	}
}

// classOf returns the slab class recorded in chunk it's header, which must name a class.
func (s *Store) classOf(it uint64) uint8 {
	cls := s.m.u8(it + iClass)
	if cls == 0 || int(cls) > s.numClasses {
		corrupt("slab class id", uint64(cls))
	}
	return cls
}

// chunkSize returns class cls's chunk size; cls, read from the region, must name a class.
func (s *Store) chunkSize(cls uint8) uint64 {
	if cls == 0 || int(cls) > s.numClasses {
		corrupt("slab class id", uint64(cls))
	}
	return s.g.classSizes[cls]
}
