package kv

import (
	"runtime"
	"sync/atomic"
	"syscall"
	"time"
)

// Region locks are 32-bit words in the region: 0 when free, else the holder's client slot
// plus one, so that crash recovery can tell whose lock it is. They are spin locks: the
// critical sections are a few hundred nanoseconds and may be held by threads of other
// processes, which no Go mutex can see.

// holder is the lock-word value for a client slot.
func holder(slot Slot) uint32 { return uint32(slot) + 1 }

func (s *Store) lock(off uint64, h uint32) {
	if !s.m.a32(off).CompareAndSwap(0, h) {
		s.lockSlow(s.m.a32(off), h)
	}
}

func (s *Store) tryLock(off uint64, h uint32) bool {
	return s.m.a32(off).CompareAndSwap(0, h)
}

// unlock commits the holder's journal (what the lock guards is consistent again) and
// releases the lock.
func (s *Store) unlock(off uint64) {
	w := s.m.a32(off)
	if h := w.Load(); h != 0 && uint64(h) <= s.g.maxSlots+1 {
		s.commit(h)
	}
	w.Store(0)
}

// lockSlow spins briefly, then yields: first to other goroutines, then the OS thread, so a
// holder descheduled on a busy machine can run. Every deadCheckPeriod of waiting it asks
// whether the holder still lives (Options.HolderAlive). A dead holder's slot is repaired
// (repairHolder rolls back and finishes what it was doing, then releases all its locks) and
// the waiter competes for the lock again; a word that names no slot at all is taken over.
func (s *Store) lockSlow(w *atomic.Uint32, h uint32) {
	var waitStart time.Time // zero until the wait is long enough to look at the clock
	var lastCheck time.Duration
	for i := 1; ; i++ {
		cur := w.Load()
		if cur == 0 && w.CompareAndSwap(0, h) {
			return
		}
		if cur != 0 && i%deadCheckRounds == 0 {
			// Ask about the holder once it has been waited for deadCheckPeriod, then once
			// per period: reading /proc costs microseconds, and on a busy machine a
			// round of yielding can take a scheduling quantum.
			if waitStart.IsZero() {
				waitStart = time.Now()
			}
			if waited := time.Since(waitStart); waited-lastCheck >= deadCheckPeriod {
				lastCheck = waited
				if !s.holderAlive(cur) {
					if uint64(cur) > s.g.maxSlots+1 {
						if w.CompareAndSwap(cur, h) {
							return // garbage: there is no journal to repair from
						}
					} else if s.repairHolder(cur, h) {
						s.recordMax(hRepairWaitMax, time.Since(waitStart))
					}
					continue
				}
			}
		}
		switch {
		case i < 64:
			// spin: the holder is most likely running on another core
		case i < 256:
			runtime.Gosched()
		default:
			syscall.RawSyscall(syscall.SYS_SCHED_YIELD, 0, 0, 0)
		}
	}
}

const (
	// deadCheckRounds is how many rounds a waiter spins between looks at the clock.
	deadCheckRounds = 16
	// deadCheckPeriod is how long a waiter waits between asking whether the holder lives.
	deadCheckPeriod = 500 * time.Microsecond
)

// holderAlive reports whether the lock-word value cur names a live holder. Values beyond
// the slot table and the maintenance slot name nobody: such a word is garbage.
func (s *Store) holderAlive(cur uint32) bool {
	if cur > uint32(s.g.maxSlots)+1 {
		return false
	}
	return s.holderAliveFn == nil || s.holderAliveFn(Slot(cur-1))
}

func (s *Store) stripeOf(h uint32) uint64 {
	return s.g.stripeOff + uint64(h&s.stripeMask)*stripeSize
}

func (s *Store) classLock(cls uint8) uint64 { return s.classEntry(cls) + cLock }

func (s *Store) classEntry(cls uint8) uint64 { return s.g.classOff + uint64(cls)*classEntrySize }

// lockSlowYield backs off between whole retries of an operation that found everything it
// could use locked by others.
func lockSlowYield(attempt int) {
	if attempt < 16 {
		runtime.Gosched()
	} else {
		syscall.RawSyscall(syscall.SYS_SCHED_YIELD, 0, 0, 0)
	}
}

// LocksHeldBy counts the store's lock words that name slot as their holder. It allocates
// nothing.
func (s *Store) LocksHeldBy(slot Slot) int {
	h, n := holder(slot), 0
	for i := range s.numLockWords() {
		if s.m.a32(s.lockWord(i)).Load() == h {
			n++
		}
	}
	return n
}

// LocksHeld counts the store's lock words that are held at this instant.
func (s *Store) LocksHeld() int {
	n := 0
	for i := range s.numLockWords() {
		if s.m.a32(s.lockWord(i)).Load() != 0 {
			n++
		}
	}
	return n
}

// numLockWords and lockWord enumerate every lock word of the store: the page lock, the
// expand lock, the stripes, the class locks.
func (s *Store) numLockWords() int { return 2 + int(s.g.stripes) + s.numClasses }

func (s *Store) lockWord(i int) uint64 {
	switch {
	case i == 0:
		return hPagesLock
	case i == 1:
		return hExpandLock
	case i < 2+int(s.g.stripes):
		return s.g.stripeOff + uint64(i-2)*stripeSize
	}
	return s.classLock(uint8(i - 1 - int(s.g.stripes)))
}
