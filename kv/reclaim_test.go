package kv

import (
	"bytes"
	"fmt"
	"testing"
	"time"
)

// finishWithin runs f and fails the test if it has not returned within d: the bug these
// tests guard against is a wait that never ends.
func finishWithin(t *testing.T, d time.Duration, what string, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatalf("%s did not finish within %v", what, d)
	}
}

// TestReclaimerKilledInFreeLeaked: a client dies with a chunk allocated and a stripe held;
// a waiter repairs the stripe (the slot's claim word then reads done); the process that
// takes the slot back is killed inside RecoverSlot's freeLeaked while it holds the chunk's
// class lock. The next client needing that class must repair and go on, and a second
// RecoverSlot must free the chunk. Before the fix the claim still read done, so nobody
// repaired the class lock and every client of that class (and RecoverSlot) waited for ever.
func TestReclaimerKilledInFreeLeaked(t *testing.T) {
	w := newCrashWorld(t, crashSmall, 4<<20)
	s := w.s
	fill(t, s, "k", 20, 100)
	victim := holder(crashVictim)
	key := []byte("k3")
	cls := s.classForKey(itemTotal(len(key), 100), hashKey(key))
	it, _, err := s.alloc(cls, s.stripeOf(hashKey(key)), victim, false)
	if err != nil {
		t.Fatal(err)
	}
	s.lock(s.stripeOf(hashKey(key)), victim)
	w.dead.Store(true)

	// A waiter meets the dead client's stripe and repairs it (a touch takes the lock; a
	// get would read without it).
	finishWithin(t, 10*time.Second, "touch of a dead client's stripe", func() {
		if err := s.Touch(crashRepairer, key, 0); err != nil {
			t.Errorf("touch after repair: %v", err)
		}
	})
	if c := s.m.a32(s.journal(victim) + jClaim).Load(); c != claimDone {
		t.Fatalf("claim word %#x after lock repair, want done", c)
	}

	// A new process takes the slot back and is killed in freeLeaked, class lock held.
	w.dead.Store(false)
	stopped, _ := w.runVictim(1, func(s *Store, slot Slot) { s.RecoverSlot(slot) })
	if !stopped {
		t.Fatal("RecoverSlot made no journaled store: the test no longer stops it in freeLeaked")
	}
	if got := s.m.a32(s.classLock(cls)).Load() & holderMask; got != victim {
		t.Fatalf("class %d lock holds %d, want the killed reclaimer %d", cls, got, victim)
	}

	// Another client needs that class: it must repair the killed reclaimer and store.
	finishWithin(t, 10*time.Second, "set in the class the killed reclaimer held", func() {
		if _, err := s.Set(crashRepairer, []byte("fresh"), bytes.Repeat([]byte("v"), 100), 0, 0); err != nil {
			t.Errorf("set: %v", err)
		}
	})
	// The next owner of the slot frees the chunk the first client allocated.
	w.dead.Store(false)
	var info RecoverInfo
	finishWithin(t, 10*time.Second, "second RecoverSlot", func() {
		if info, err = s.RecoverSlot(crashVictim); err != nil {
			t.Errorf("RecoverSlot: %v", err)
		}
	})
	if !info.ChunkFreed || s.m.u8(it+iState) != stateFree {
		t.Errorf("chunk %d not freed: info %+v, state %d", it, info, s.m.u8(it+iState))
	}
	if n := s.LocksHeld(); n != 0 {
		t.Errorf("%d locks held at the end", n)
	}
	mustCheck(t, s)
}

// TestDeadExpandHolderIsRepaired: a client dies holding only the hash-growth lock, which
// is only ever tried. Clients that go on adding items must notice and repair it, and the
// table must grow. Before the fix growth stopped until the slot was reclaimed.
func TestDeadExpandHolderIsRepaired(t *testing.T) {
	w := newCrashWorld(t, crashGrow, 8<<20)
	s := w.s
	if !s.tryLock(hExpandLock, holder(crashVictim)) {
		t.Fatal("expand lock busy in a new store")
	}
	w.dead.Store(true)
	power := s.Stats().HashPower
	finishWithin(t, 20*time.Second, "sets while the expand lock's holder is dead", func() {
		for i := 0; i < 4000; i++ {
			if _, err := s.Set(crashRepairer, fmt.Appendf(nil, "g%d", i), []byte("v"), 0, 0); err != nil {
				t.Errorf("set %d: %v", i, err)
				return
			}
		}
	})
	if got := s.Stats().HashPower; got <= power {
		t.Errorf("hash power %d after 4000 items, was %d: growth never resumed", got, power)
	}
	if h := s.m.a32(hExpandLock).Load() & holderMask; h == holder(crashVictim) {
		t.Error("the dead client still holds the expand lock")
	}
	mustCheck(t, s)
}
