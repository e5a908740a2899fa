package plib

import (
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plibcached/plibcached/plib/internal/pkey"
)

// Item 3 of issue 12: no caller code runs while rights are raised, and every exit path of
// every public call (a return, or a panic of a caller-supplied callback) drops them and
// leaves no store lock held.

// errClockPanic is what panicClock panics with.
var errClockPanic = errors.New("test: the caller's clock panics")

// panicClock is a caller-supplied Clock that panics on the n-th call to Now after arm(n);
// disarmed (n <= 0) it returns t.
type panicClock struct {
	t    atomic.Int64
	left atomic.Int64
}

func newPanicClock() *panicClock {
	c := &panicClock{}
	c.t.Store(1_700_000_000)
	return c
}

func (c *panicClock) Now() int64 {
	if c.left.Load() > 0 && c.left.Add(-1) == 0 {
		panic(errClockPanic)
	}
	return c.t.Load()
}

func (c *panicClock) arm(n int64) { c.left.Store(n) }

// rightsClock is the clock of the segment checkRightsCall runs on now.
var rightsClock *panicClock

// rightsCall is one public call, made on c or on s (a Session of c the test holds). prep,
// if set, runs first with the clock disarmed (to make what the call needs: an item, a
// full store, a session to close).
type rightsCall struct {
	name string
	prep func(t *testing.T, c *Client, s *Session) any
	call func(c *Client, s *Session, prepped any)
}

func rightsCalls() []rightsCall {
	key, val := []byte("k"), []byte("12")
	dst := make([]byte, 64)
	item := func() *Item { return &Item{Key: "k", Value: []byte("12")} }
	set := func(t *testing.T, c *Client, s *Session) any {
		if err := s.Set(key, val, 0, 0); err != nil {
			t.Fatal(err)
		}
		return nil
	}
	big := make([]byte, 48<<10)
	return []rightsCall{
		{"Client.Get", set, func(c *Client, _ *Session, _ any) { c.Get("k") }},
		{"Client.GetMulti", set, func(c *Client, _ *Session, _ any) { c.GetMulti([]string{"k", "absent", "k"}) }},
		{"Client.GetAndTouch", set, func(c *Client, _ *Session, _ any) { c.GetAndTouch("k", 100) }},
		{"Client.GetInto", set, func(c *Client, _ *Session, _ any) { c.GetInto(key, dst) }},
		{"Client.Set", nil, func(c *Client, _ *Session, _ any) { c.Set(item()) }},
		{"Client.Set(evicting)", fillStore, func(c *Client, _ *Session, _ any) {
			c.Set(&Item{Key: "evict", Value: big})
		}},
		{"Client.Add", nil, func(c *Client, _ *Session, _ any) { c.Add(item()) }},
		{"Client.Replace", set, func(c *Client, _ *Session, _ any) { c.Replace(item()) }},
		{"Client.Append", set, func(c *Client, _ *Session, _ any) { c.Append(item()) }},
		{"Client.Prepend", set, func(c *Client, _ *Session, _ any) { c.Prepend(item()) }},
		{"Client.CompareAndSwap", set, func(c *Client, _ *Session, _ any) { c.CompareAndSwap(&Item{Key: "k", CasID: 1}) }},
		{"Client.Delete", set, func(c *Client, _ *Session, _ any) { c.Delete("k") }},
		{"Client.Increment", set, func(c *Client, _ *Session, _ any) { c.Increment("k", 1) }},
		{"Client.Decrement", set, func(c *Client, _ *Session, _ any) { c.Decrement("k", 1) }},
		{"Client.Touch", set, func(c *Client, _ *Session, _ any) { c.Touch("k", 100) }},
		{"Client.FlushAll", nil, func(c *Client, _ *Session, _ any) { c.FlushAll() }},
		{"Client.DeleteAll", nil, func(c *Client, _ *Session, _ any) { c.DeleteAll() }},
		{"Client.Ping", nil, func(c *Client, _ *Session, _ any) { c.Ping() }},
		{"Client.Check", nil, func(c *Client, _ *Session, _ any) { c.Check() }},
		{"Client.Stats", nil, func(c *Client, _ *Session, _ any) { c.Stats() }},
		{"Client.Recover", nil, func(c *Client, _ *Session, _ any) { c.Recover() }},
		{"Client.LocksHeld", nil, func(c *Client, _ *Session, _ any) { c.LocksHeld() }},
		{"Client.SlotOwners", nil, func(c *Client, _ *Session, _ any) { c.SlotOwners() }},
		{"Client.SlotPIDs", nil, func(c *Client, _ *Session, _ any) { c.SlotPIDs() }},
		{"Client.Session", nil, func(c *Client, _ *Session, _ any) {
			if s, err := c.Session(); err == nil {
				s.Close()
			}
		}},
		{"Client.Close", func(t *testing.T, c *Client, _ *Session) any {
			// A second Client on the same segment, sharing the clock, closed by the call.
			c2, err := Open(c.seg.file.Name(), Options{Protection: c.mode, Clock: rightsClock})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c2.Session(); err != nil {
				t.Fatal(err)
			}
			return c2
		}, func(_ *Client, _ *Session, p any) { p.(*Client).Close() }},
		{"Session.Close", func(t *testing.T, c *Client, _ *Session) any {
			s, err := c.Session()
			if err != nil {
				t.Fatal(err)
			}
			return s
		}, func(_ *Client, _ *Session, p any) { p.(*Session).Close() }},
		{"Session.GetInto", set, func(_ *Client, s *Session, _ any) { s.GetInto(key, dst) }},
		{"Session.GetAndTouchInto", set, func(_ *Client, s *Session, _ any) { s.GetAndTouchInto(key, 100, dst) }},
		{"Session.Set", nil, func(_ *Client, s *Session, _ any) { s.Set(key, val, 0, 0) }},
		{"Session.Store", set, func(_ *Client, s *Session, _ any) { s.Store(StoreMode(5), key, val, 0, 0, 0) }},
		{"Session.Delete", set, func(_ *Client, s *Session, _ any) { s.Delete(key) }},
		{"Session.Incr", set, func(_ *Client, s *Session, _ any) { s.Incr(key, 1) }},
		{"Session.Decr", set, func(_ *Client, s *Session, _ any) { s.Decr(key, 1) }},
		{"Session.Touch", set, func(_ *Client, s *Session, _ any) { s.Touch(key, 100) }},
		{"Session.FlushAll", nil, func(_ *Client, s *Session, _ any) { s.FlushAll(0) }},
	}
}

// fillStore stores 48 KiB values until the store has evicted, so that the next such Set
// evicts too (its slab class is full).
func fillStore(t *testing.T, c *Client, s *Session) any {
	v := make([]byte, 48<<10)
	for i := 0; c.Stats().Evictions == 0; i++ {
		if i > 10000 {
			t.Fatal("the store never evicts")
		}
		if err := s.Set(fmt.Appendf(nil, "fill%d", i), v, 0, 0); err != nil {
			t.Fatal(err)
		}
	}
	return nil
}

// rightsOptions is a small segment, so that fillStore fills it quickly.
func rightsOptions(mode Mode, clock *panicClock) Options {
	return Options{Size: 4 << 20, MaxItemSize: 64 << 10, MaxClients: 8, Protection: mode, Clock: clock}
}

// callRecovered makes one call and reports whether it panicked, and with what.
func callRecovered(f func()) (panicked any) {
	defer func() { panicked = recover() }()
	f()
	return nil
}

// TestRightsDroppedOnEveryPath: for each public call, returning normally and with the
// caller's Clock panicking at its 1st, 2nd or 3rd reading (wherever the call reads it, if
// at all), recovered by the caller: afterwards this thread's PKRU denies the segment's key
// (PKU), no store lock is held, and another session's calls on the same keys complete.
func TestRightsDroppedOnEveryPath(t *testing.T) {
	for _, mode := range []Mode{ModePKU, ModeNoPKU} {
		t.Run(mode.String(), func(t *testing.T) {
			if mode == ModePKU {
				skipWithoutPKU(t)
			}
			// The whole test runs on one thread, so PKRU read after a call is the PKRU
			// the call left behind on the thread that made it.
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			for _, rc := range rightsCalls() {
				for armed := int64(0); armed <= 3; armed++ {
					if !checkRightsCall(t, mode, rc, armed) {
						return // a hung call: what follows would hang too
					}
				}
			}
		})
	}
}

// checkRightsCall runs rc once on a fresh segment with the clock armed to panic at its
// armed-th reading (0: never) and reports false if another session then hangs.
func checkRightsCall(t *testing.T, mode Mode, rc rightsCall, armed int64) bool {
	t.Helper()
	clock := newPanicClock()
	rightsClock = clock
	c, err := Open(filepath.Join(t.TempDir(), "seg"), rightsOptions(mode, clock))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s, err := c.Session()
	if err != nil {
		t.Fatal(err)
	}
	other, err := c.Session()
	if err != nil {
		t.Fatal(err)
	}
	var prepped any
	if rc.prep != nil {
		prepped = rc.prep(t, c, s)
	}
	clock.arm(armed)
	p := callRecovered(func() { rc.call(c, s, prepped) })
	clock.arm(0)
	what := fmt.Sprintf("%s, clock panicking at reading %d (panicked: %v)", rc.name, armed, p)
	if p != nil && p != errClockPanic {
		t.Errorf("%s: a panic other than the clock's", what)
	}
	if mode == ModePKU {
		keys := []pkey.Key{c.key}
		if c2, ok := prepped.(*Client); ok {
			keys = append(keys, c2.key)
		}
		for _, k := range keys {
			if pkru := pkey.PKRU(); k.CanRead(pkru) {
				t.Errorf("%s: rights stay raised: PKRU %#x lets this thread read key %d", what, pkru, k)
				pkey.Exit(k) // so that the checks below test the store, not this thread
			}
		}
	}
	if n := c.LocksHeld(); n != 0 {
		t.Errorf("%s: %d store locks left held", what, n)
	}
	done := make(chan error, 1)
	go func() {
		err := other.Set([]byte("k"), []byte("1"), 0, 0)
		if err == nil {
			err = other.Set([]byte("evict"), make([]byte, 48<<10), 0, 0)
		}
		if err == nil {
			_, err = other.GetInto([]byte("k"), make([]byte, 8))
		}
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil && !strings.Contains(err.Error(), "cache miss") {
			t.Errorf("%s: another session's calls: %v", what, err)
		}
	case <-time.After(30 * time.Second):
		t.Errorf("%s: another session hangs for 30 s", what)
		return false
	}
	return true
}

// TestClockPanicsKeepNoSession: a Client whose Clock panics in call after call (each
// recovered by the caller) loses no pooled session to it: more panics than the segment
// has slots, and the Client still serves, with no slot left claimed by the panics.
func TestClockPanicsKeepNoSession(t *testing.T) {
	clock := newPanicClock()
	opts := rightsOptions(ModeNoPKU, clock)
	c, err := Open(filepath.Join(t.TempDir(), "seg"), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Set(&Item{Key: "k", Value: []byte("v")}); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		for i := 0; i < 4*opts.MaxClients; i++ {
			clock.arm(1)
			if p := callRecovered(func() { c.Get("k") }); p != errClockPanic {
				done <- fmt.Errorf("Get %d: panic %v, want the clock's", i, p)
				return
			}
		}
		clock.arm(0)
		_, err := c.Get("k")
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("a Get after repeated Clock panics hangs for 30 s: the panics kept the pool's sessions")
	}
	if live, _ := c.SlotOwners(); live > 1 {
		t.Errorf("%d slots claimed after the panics, want 1 (the pool's one session)", live)
	}
}
