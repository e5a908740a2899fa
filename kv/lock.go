package kv

import (
	"runtime"
	"sync/atomic"
	"syscall"
	"time"
)

// Region locks are 32-bit words in the region: 0 when free, else the holder's client slot
// plus one, so that crash recovery can tell whose lock it is, with lockWaiters set while a
// client may be asleep on the word. The critical sections are a few hundred nanoseconds
// and may be held by threads of other processes, which no Go mutex can see: a waiter spins
// briefly, yields, then sleeps on the word (futex, which works across processes) until the
// holder's unlock wakes it. No wait is unbounded: a dead holder is repaired, and a live one
// that keeps the lock for Options.LockTimeout (a stopped process) makes the waiting call
// give up with a BusyError, changing nothing.

const (
	// lockWaiters marks a lock word some client may be sleeping on: its unlock wakes them.
	lockWaiters = 1 << 31
	// holderMask is the part of a lock word that names the holder.
	holderMask = lockWaiters - 1

	// DefaultLockTimeout is Options.LockTimeout's default: like a memcached client's
	// timeout, a few seconds, far beyond any critical section.
	DefaultLockTimeout = 3 * time.Second

	// spinRounds and yieldRounds are how many times a waiter looks at the word before it
	// starts yielding its thread and then sleeping.
	spinRounds  = 64
	yieldRounds = 128
	// deadCheckPeriod is how long a waiter waits before it first asks whether the holder
	// lives; later it asks after each further sixteenth of its wait.
	deadCheckPeriod = 500 * time.Microsecond
	// maxSleep bounds one sleep on a lock word.
	maxSleep = 5 * time.Millisecond
)

// holder is the lock-word value for a client slot.
func holder(slot Slot) uint32 { return uint32(slot) + 1 }

func (s *Store) lock(off uint64, h uint32) {
	if w := s.m.a32(off); !w.CompareAndSwap(0, h) {
		s.lockSlow(off, w, h)
	}
}

func (s *Store) tryLock(off uint64, h uint32) bool {
	return s.m.a32(off).CompareAndSwap(0, h)
}

// unlock commits the holder's journal (what the lock guards is consistent again),
// releases the lock and wakes any client asleep on it.
func (s *Store) unlock(off uint64) {
	w := s.m.a32(off)
	if h := w.Load() & holderMask; h != 0 && uint64(h) <= s.g.maxSlots+1 {
		s.commit(h)
	}
	if off-s.g.stripeOff < s.g.stripes*stripeSize {
		s.endWriting(off) // after the commit: readers may now trust what they see
	}
	if w.Swap(0)&lockWaiters != 0 {
		futexWake(w)
	}
}

// lockSlow waits for the lock word w at off: it spins, yields, then sleeps on the word.
// While it sleeps it asks now and then whether the holder still lives
// (Options.HolderAlive); a dead holder's slot is repaired (repairHolder rolls back and
// finishes what it was doing, then releases all its locks) and the waiter competes for the
// lock again; a word that names no slot at all is taken over. Past s.lockTimeout it
// panics with a *BusyError, which the public method's recoverOp turns into the call's
// error after undoing what the call had begun.
func (s *Store) lockSlow(off uint64, w *atomic.Uint32, h uint32) {
	var start time.Time // zero until the wait is long enough to look at the clock
	var lastCheck time.Duration
	kind, i, sleeps := s.lockKindIndex(off), 1, uint64(0)
	defer func() {
		s.addWait(h, kind, waitContended, 1)
		s.addWait(h, kind, waitSpins, uint64(min(i, spinRounds)))
		s.addWait(h, kind, waitYields, uint64(max(0, min(i, yieldRounds)-spinRounds)))
		s.addWait(h, kind, waitSleeps, sleeps)
	}()
	want := h
	for ; ; i++ {
		cur := w.Load()
		if cur == 0 {
			if w.CompareAndSwap(0, want) {
				return
			}
			continue
		}
		switch {
		case i < spinRounds:
			continue // the holder is most likely running on another core
		case i < yieldRounds:
			runtime.Gosched()
			continue
		}
		if start.IsZero() {
			start = time.Now()
		}
		waited := time.Since(start)
		if waited-lastCheck >= max(deadCheckPeriod, waited/16) {
			lastCheck = waited
			if s.takeFromDead(w, cur, want, start) {
				return
			}
			continue
		}
		if waited >= s.lockTimeout {
			panic(s.busy(cur&holderMask, lockKindNames[kind], waited))
		}
		if cur&lockWaiters == 0 && !w.CompareAndSwap(cur, cur|lockWaiters) {
			continue
		}
		// Once asleep, take the lock marked as waited for: other sleepers may remain, and
		// this client's unlock must wake them.
		want = h | lockWaiters
		sleeps++
		futexWait(w, cur|lockWaiters, min(maxSleep, max(waited/4, 50*time.Microsecond), s.lockTimeout-waited))
	}
}

// takeFromDead handles a lock word cur whose holder may be dead: it takes over a word
// that names no slot (garbage: there is no journal to repair from), or repairs a dead
// holder's slot, which releases its locks. It reports whether the caller now holds the
// lock.
func (s *Store) takeFromDead(w *atomic.Uint32, cur, want uint32, start time.Time) bool {
	dead := cur & holderMask
	if s.holderAlive(dead) {
		return false
	}
	if uint64(dead) > s.g.maxSlots+1 || dead == 0 {
		return w.CompareAndSwap(cur, want)
	}
	if s.repairHolder(dead, want&holderMask) {
		s.recordMax(hRepairWaitMax, time.Since(start))
	}
	return false
}

// holderAlive reports whether the lock-word holder value cur (without lockWaiters) names a
// live holder. Values beyond the slot table and the maintenance slot name nobody: such a
// word is garbage.
func (s *Store) holderAlive(cur uint32) bool {
	if cur == 0 || cur > uint32(s.g.maxSlots)+1 {
		return false
	}
	return s.holderAliveFn == nil || s.holderAliveFn(Slot(cur-1))
}

// busy makes the BusyError of a wait of waited for the lock kind held by holder value h.
func (s *Store) busy(h uint32, kind string, waited time.Duration) *BusyError {
	e := &BusyError{Holder: Slot(h) - 1, Lock: kind, Waited: waited}
	if s.holderPidFn != nil && h != 0 && uint64(h) <= s.g.maxSlots {
		e.Pid = s.holderPidFn(e.Holder)
	}
	return e
}

// The kinds of lock, for statistics and errors.
const (
	lockStripe = iota
	lockClass
	lockPages
	lockExpand
	numLockKinds
)

var lockKindNames = [numLockKinds]string{"stripe", "class", "pages", "expand"}

// lockKindIndex returns the kind of the lock word at off.
func (s *Store) lockKindIndex(off uint64) int {
	switch {
	case off == hPagesLock:
		return lockPages
	case off == hExpandLock:
		return lockExpand
	case off >= s.g.classOff && off < s.g.stripeOff:
		return lockClass
	}
	return lockStripe
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

// heldBy reports whether lock word value v names holder h.
func heldBy(v, h uint32) bool { return v&holderMask == h }

// LocksHeldBy counts the store's lock words that name slot as their holder. It allocates
// nothing.
func (s *Store) LocksHeldBy(slot Slot) int {
	h, n := holder(slot), 0
	for i := range s.numLockWords() {
		if heldBy(s.m.a32(s.lockWord(i)).Load(), h) {
			n++
		}
	}
	return n
}

// LocksHeld counts the store's lock words that are held at this instant.
func (s *Store) LocksHeld() int {
	n := 0
	for i := range s.numLockWords() {
		if s.m.a32(s.lockWord(i)).Load()&holderMask != 0 {
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
