package kv

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
)

// Crash-point tests: a client is stopped for good between two of its stores (at every
// journaled store and every commit of one operation, or a spread sample of them when an
// operation has very many), its slot is declared dead, and another client either meets one
// of its locks (lock repair) or takes the slot back (RecoverSlot). The store must then pass
// Check with no lock held, the operation's key must hold its old value or its new one, and
// every other key its value (or be gone only if it was evicted).

const (
	crashVictim   = Slot(0)
	crashRepairer = Slot(1)
)

// crashWorld is one store with a dead-slot switch and a crash trigger.
type crashWorld struct {
	s       *Store
	clock   *ManualClock
	dead    atomic.Bool   // crashVictim's process has died
	armed   atomic.Bool   // the trigger counts stores
	left    atomic.Int64  // stores until the victim stops
	count   atomic.Int64  // stores counted while armed
	parked  chan struct{} // closed when the victim stops
	release chan struct{} // closed at the end: the stopped goroutine exits
	evicted map[string]bool
}

func newCrashWorld(t *testing.T, cfg Config, size int) *crashWorld {
	w := &crashWorld{clock: NewManualClock(testNow), parked: make(chan struct{}), release: make(chan struct{}), evicted: map[string]bool{}}
	s, err := Format(alignedRegion(size), cfg, Options{
		Clock:       w.clock,
		HolderAlive: func(slot Slot) bool { return slot != crashVictim || !w.dead.Load() },
		OnEvict:     func(key []byte) { w.evicted[string(key)] = true },
	})
	if err != nil {
		t.Fatal(err)
	}
	s.crashHook = w.hook
	w.s = s
	t.Cleanup(func() { close(w.release) })
	return w
}

func (w *crashWorld) hook() {
	if !w.armed.Load() {
		return
	}
	w.count.Add(1)
	if w.left.Add(-1) != 0 {
		return
	}
	w.armed.Store(false)
	close(w.parked)
	<-w.release
	runtime.Goexit() // the client never runs another instruction of the operation
}

// runVictim runs op as the victim, stopping it at its k-th store (k <= 0: never). It
// reports whether the victim stopped, and how many stores the operation made if not.
func (w *crashWorld) runVictim(k int64, op func(s *Store, slot Slot)) (stopped bool, stores int64) {
	w.left.Store(k)
	w.count.Store(0)
	w.armed.Store(true)
	done := make(chan struct{})
	go func() {
		op(w.s, crashVictim)
		close(done)
	}()
	select {
	case <-done:
		w.armed.Store(false)
		return false, w.count.Load()
	case <-w.parked:
		w.dead.Store(true)
		return true, 0
	}
}

// crashScenario is one operation run against a prepared store.
type crashScenario struct {
	name  string
	cfg   Config
	size  int
	setup func(w *crashWorld, t *testing.T)
	op    func(s *Store, slot Slot)
	key   string
	// allowed returns the values the key may hold afterwards ("" = absent).
	allowed func(before string) []string
}

func fill(t *testing.T, s *Store, prefix string, n, size int) {
	for i := 0; i < n; i++ {
		if _, err := s.Set(crashRepairer, fmt.Appendf(nil, "%s%d", prefix, i), bytes.Repeat([]byte{byte('a' + i%26)}, size), uint32(i), 0); err != nil {
			t.Fatalf("fill %s%d: %v", prefix, i, err)
		}
	}
}

var (
	crashSmall = Config{MaxItemSize: 16 << 10, PageSize: 64 << 10, Stripes: 16, MaxSlots: 2, ExpectedItems: 64, ClassShards: 2}
	crashGrow  = Config{MaxItemSize: 16 << 10, PageSize: 64 << 10, Stripes: 16, MaxSlots: 2, ExpectedItems: 1}
)

func crashScenarios() []crashScenario {
	set := func(key, val string) func(*Store, Slot) {
		return func(s *Store, slot Slot) { s.Set(slot, []byte(key), []byte(val), 9, 0) }
	}
	oldOrNew := func(v string) func(string) []string { return func(b string) []string { return []string{b, v} } }
	big := strings.Repeat("B", 3000)
	return []crashScenario{
		{name: "set-new", cfg: crashSmall, size: 4 << 20, setup: func(w *crashWorld, t *testing.T) { fill(t, w.s, "k", 50, 40) },
			op: set("fresh", "v1"), key: "fresh", allowed: oldOrNew("v1")},
		{name: "set-replace", cfg: crashSmall, size: 4 << 20, setup: func(w *crashWorld, t *testing.T) { fill(t, w.s, "k", 50, 40) },
			op: set("k7", "replaced"), key: "k7", allowed: oldOrNew("replaced")},
		{name: "set-replace-same-length", cfg: crashSmall, size: 4 << 20, setup: func(w *crashWorld, t *testing.T) { fill(t, w.s, "k", 50, 40) },
			op: set("k7", strings.Repeat("R", 40)), key: "k7", allowed: oldOrNew(strings.Repeat("R", 40))},
		{name: "set-other-class", cfg: crashSmall, size: 4 << 20, setup: func(w *crashWorld, t *testing.T) { fill(t, w.s, "k", 50, 40) },
			op: set("k8", big), key: "k8", allowed: oldOrNew(big)},
		{name: "append", cfg: crashSmall, size: 4 << 20, setup: func(w *crashWorld, t *testing.T) { fill(t, w.s, "k", 50, 40) },
			op:  func(s *Store, slot Slot) { s.Store(slot, ModeAppend, []byte("k9"), []byte("+tail"), 0, 0, 0) },
			key: "k9", allowed: func(b string) []string { return []string{b, b + "+tail"} }},
		{name: "incr-pad", cfg: crashSmall, size: 4 << 20, setup: func(w *crashWorld, t *testing.T) {
			w.s.Set(crashRepairer, []byte("n"), []byte("100"), 0, 0)
		}, op: func(s *Store, slot Slot) { s.Decr(slot, []byte("n"), 1) }, key: "n", allowed: oldOrNew("99 ")},
		{name: "incr-grow", cfg: crashSmall, size: 4 << 20, setup: func(w *crashWorld, t *testing.T) {
			w.s.Set(crashRepairer, []byte("n"), []byte("99"), 0, 0)
		}, op: func(s *Store, slot Slot) { s.Incr(slot, []byte("n"), 1) }, key: "n", allowed: oldOrNew("100")},
		{name: "incr-in-place-unaligned", cfg: crashSmall, size: 4 << 20, setup: func(w *crashWorld, t *testing.T) {
			w.s.Set(crashRepairer, []byte("counter-x"), []byte("10999999999999999999"), 0, 0)
		}, op: func(s *Store, slot Slot) { s.Incr(slot, []byte("counter-x"), 1) }, key: "counter-x", allowed: oldOrNew("11000000000000000000")},
		{name: "delete", cfg: crashSmall, size: 4 << 20, setup: func(w *crashWorld, t *testing.T) { fill(t, w.s, "k", 50, 40) },
			op: func(s *Store, slot Slot) { s.Delete(slot, []byte("k3")) }, key: "k3", allowed: oldOrNew("")},
		{name: "get-expired", cfg: crashSmall, size: 4 << 20, setup: func(w *crashWorld, t *testing.T) {
			fill(t, w.s, "k", 20, 40)
			w.s.Set(crashRepairer, []byte("e"), []byte("soon"), 0, 5)
			w.clock.Advance(10)
		}, op: func(s *Store, slot Slot) { s.Get(slot, []byte("e"), make([]byte, 64)) }, key: "e",
			allowed: func(string) []string { return []string{""} }},
		{name: "get-bump", cfg: crashSmall, size: 4 << 20, setup: func(w *crashWorld, t *testing.T) {
			fill(t, w.s, "k", 50, 40)
			w.clock.Advance(2 * lruUpdateInterval)
		}, op: func(s *Store, slot Slot) { s.Get(slot, []byte("k1"), make([]byte, 64)) }, key: "k1", allowed: oldOrNew("")},
		{name: "set-carve", cfg: crashSmall, size: 4 << 20, op: set("first", "v"), key: "first", allowed: oldOrNew("v")},
		{name: "set-evict", cfg: crashSmall, size: 1 << 20, setup: func(w *crashWorld, t *testing.T) { fill(t, w.s, "k", 400, 3000) },
			op: set("late", big), key: "late", allowed: oldOrNew(big)},
		{name: "set-steal-page", cfg: crashSmall, size: 1 << 20, setup: func(w *crashWorld, t *testing.T) { fill(t, w.s, "k", 400, 3000) },
			op: set("small", "s"), key: "small", allowed: oldOrNew("s")},
		{name: "set-grow-table", cfg: crashGrow, size: 8 << 20, setup: func(w *crashWorld, t *testing.T) {
			fill(t, w.s, "k", 1536, 8) // 1.5 per bucket of the initial 1024: the next set grows the table
		}, op: func(s *Store, slot Slot) {
			s.Set(slot, []byte(growKey), []byte("v"), 0, 0)              // a key whose add counts the items (maybeGrow)
			for i := 1; i < 40 && s.m.a32(hExpanding).Load() != 0; i++ { // drive the migration
				s.Set(slot, fmt.Appendf(nil, "g%d", i), []byte("v"), 0, 0)
			}
		}, key: growKey, allowed: oldOrNew("v")},
	}
}

// growKey is the first key "gN" whose add makes maybeGrow count the items (one in
// growCheckEvery does).
var growKey = func() string {
	for i := 0; ; i++ {
		if k := fmt.Sprintf("g%d", i); hashKey([]byte(k))>>26 < 64/growCheckEvery {
			return k
		}
	}
}()

func TestCrashAtEveryStore(t *testing.T) {
	for _, sc := range crashScenarios() {
		t.Run(sc.name, func(t *testing.T) {
			w := newCrashWorld(t, sc.cfg, sc.size)
			if sc.setup != nil {
				sc.setup(w, t)
			}
			_, total := w.runVictim(0, sc.op)
			if total == 0 {
				t.Fatal("the operation made no journaled store")
			}
			points := crashPoints(total)
			t.Logf("%d stores; crashing at %d of them", total, len(points))
			for i, k := range points {
				crashOnce(t, sc, k, i%2 == 0)
			}
		})
	}
}

// crashPoints lists the stores to stop at: all of them if there are few, else the first
// and last 100 and 400 spread between (-short: 30 and 60).
func crashPoints(total int64) []int64 {
	edge, spread := int64(100), 400
	if testing.Short() {
		edge, spread = 30, 60
	}
	var ks []int64
	if total <= 2*edge+int64(spread) {
		for k := int64(1); k <= total; k++ {
			ks = append(ks, k)
		}
		return ks
	}
	for k := int64(1); k <= edge; k++ {
		ks = append(ks, k, total-edge+k)
	}
	r := rand.New(rand.NewPCG(uint64(total), 1))
	for i := 0; i < spread; i++ {
		ks = append(ks, edge+1+r.Int64N(total-2*edge))
	}
	return ks
}

// crashOnce runs sc stopping the victim at store k, repairs through a lock (byLock) or
// through RecoverSlot, and checks the outcome.
func crashOnce(t *testing.T, sc crashScenario, k int64, byLock bool) {
	t.Helper()
	w := newCrashWorld(t, sc.cfg, sc.size)
	if sc.setup != nil {
		sc.setup(w, t)
	}
	before := snapshot(w.s)
	clear(w.evicted)
	if stopped, _ := w.runVictim(k, sc.op); !stopped {
		t.Fatalf("store %d: the operation finished without reaching it", k)
	}
	s := w.s
	// A reader that takes no lock meanwhile may see the key's old value or, once the
	// victim's change is committed, its new one; whatever it sees must survive repair.
	seen, looked := "", false
	buf := make([]byte, 64<<10)
	switch meta, res := s.getOptimistic([]byte(sc.key), buf, hashKey([]byte(sc.key)), s.now(), true); res {
	case optHit:
		seen, looked = string(buf[:meta.Len]), true
	case optMiss:
		looked = true
	}
	if byLock {
		// Meet the dead client's locks: Check takes every lock in the store.
		if err := s.CheckAs(crashRepairer); err != nil {
			t.Fatalf("store %d: check after lock repair: %v", k, err)
		}
	}
	if _, err := s.RecoverSlot(crashVictim); err != nil {
		t.Fatalf("store %d: RecoverSlot: %v", k, err)
	}
	w.dead.Store(false) // the slot is reusable: a new client owns it
	if err := s.Check(); err != nil {
		t.Fatalf("store %d (lock repair %v): %v", k, byLock, err)
	}
	if n := s.LocksHeld(); n != 0 {
		t.Fatalf("store %d: %d locks still held", k, n)
	}
	after := snapshot(s)
	okVals := sc.allowed(before[sc.key])
	if !contains(okVals, after[sc.key]) && !(after[sc.key] == "" && w.evicted[sc.key]) {
		t.Fatalf("store %d: key %q holds %.40q, want one of %.40q", k, sc.key, after[sc.key], okVals)
	}
	if looked && after[sc.key] != seen && !(after[sc.key] == "" && w.evicted[sc.key]) {
		t.Fatalf("store %d: a lock-free read saw %.40q before repair; after it the key holds %.40q", k, seen, after[sc.key])
	}
	for key, v := range before {
		if key != sc.key && after[key] != v && !(after[key] == "" && w.evicted[key]) {
			t.Fatalf("store %d: untouched key %q changed from %.20q to %.20q", k, key, v, after[key])
		}
	}
	// The store works on: the recovered slot can store and read again.
	if _, err := s.Set(crashVictim, []byte("after"), []byte("ok"), 0, 0); err != nil {
		t.Fatalf("store %d: set after recovery: %v", k, err)
	}
	mustCheck(t, s)
}

// snapshot reads every key the scenarios use without changing anything (no LRU bump, no
// lazy expiry): expired and flushed items read as absent.
func snapshot(s *Store) map[string]string {
	out := map[string]string{}
	keys := []string{"fresh", "n", "e", "first", "late", "small", "counter-x", growKey}
	for i := 0; i < 1600; i++ {
		keys = append(keys, fmt.Sprint("k", i))
	}
	now := s.now()
	for _, k := range keys {
		key := []byte(k)
		h := hashKey(key)
		for it := s.m.u64(s.bucketFor(h)); it != 0; it = s.m.u64(it + iHNext) {
			if s.keyIs(it, key, h) {
				if s.dead(it, now) == lookupHit {
					out[k] = string(s.itemValue(it))
				}
				break
			}
		}
	}
	return out
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
