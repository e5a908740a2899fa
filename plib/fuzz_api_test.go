package plib

import (
	"bytes"
	"fmt"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/plibcached/plibcached/kv"
)

// FuzzAPI decodes its input into up to fuzzMaxCalls calls on the public API, Client's
// gomemcache-shaped methods and Session's, on a fresh segment with a manual clock, and
// compares every answer with apiModel. See fuzz_input_test.go for how keys, values,
// buffers, expiration times, CAS ids and deltas are decoded, and fuzz_api_ops_test.go for
// the calls. The segment is sized so that nothing is ever evicted, so the model needs no
// knowledge of eviction; the test checks that it was not. After the calls every item the
// model holds must read back the same, and Client.Check must pass.
func FuzzAPI(f *testing.F) {
	for _, seed := range fuzzAPISeeds() {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		watchdog := time.AfterFunc(10*time.Second, func() {
			debug.SetTraceback("all")
			panic("FuzzAPI: input ran for 10 s")
		})
		defer watchdog.Stop()
		newAPIFuzz(t, data).run()
	})
}

const (
	fuzzNow      = 1_700_000_000
	fuzzMaxItem  = 8 << 10 // small items: ~20 slab classes, few pages touched
	fuzzMaxCalls = 96      // with 8 KiB items, each class needs at most one 1 MiB page
)

// The calls, one per opcode (the input byte modulo opCount).
const (
	opGet           = iota // Client.Get(key)
	opGetMulti             // Client.GetMulti(0-4 keys)
	opClientStore          // Client.Set/Add/Replace/Append/Prepend(item)
	opCompareSwap          // Client.CompareAndSwap(item with a CAS id)
	opDelete               // Client.Delete(key)
	opIncrDecr             // Client.Increment/Decrement(key, delta)
	opTouch                // Client.Touch(key, exptime)
	opGetAndTouch          // Client.GetAndTouch(key, exptime)
	opFlushAll             // Client.FlushAll()
	opClientGetInto        // Client.GetInto(key, dst)
	opGetInto              // Session.GetInto(key, dst)
	opGATInto              // Session.GetAndTouchInto(key, exptime, dst)
	opStore                // Session.Store(mode 0-7, key, value, flags, exptime, cas)
	opSessionKeyed         // Session.Delete/Incr/Decr/Touch
	opSessionFlush         // Session.FlushAll(delay)
	opAdvance              // the clock moves
	opCount
)

type apiFuzz struct {
	t     *testing.T
	in    *fuzzInput
	c     *Client
	s     *Session
	clock *kv.ManualClock
	m     *apiModel
	trace []string // the calls so far, for failure messages
}

func newAPIFuzz(t *testing.T, data []byte) *apiFuzz {
	clock := kv.NewManualClock(fuzzNow)
	c, err := Open(filepath.Join(t.TempDir(), "seg"), Options{
		Size: 32 << 20, MaxItemSize: fuzzMaxItem, ExpectedItems: 1024, MaxClients: 4,
		Protection: ModeNoPKU, Clock: clock,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	s, err := c.Session()
	if err != nil {
		t.Fatal(err)
	}
	// Fill the Client's pool now: a call that finds it empty claims a slot, writing the
	// slot table, and a buffer straddling the mapping's start covers that table (guard).
	if err := c.Ping(); err != nil {
		t.Fatal(err)
	}
	return &apiFuzz{t: t, in: &fuzzInput{b: data}, c: c, s: s, clock: clock, m: newAPIModel(c.store.MaxItemSize(), len(s.val))}
}

func (f *apiFuzz) run() {
	for i := 0; i < fuzzMaxCalls && f.in.more(); i++ {
		f.call(f.in.byte())
	}
	f.finalCheck()
}

// fail reports a mismatch with the calls that led to it.
func (f *apiFuzz) fail(format string, args ...any) {
	f.t.Helper()
	if ev := f.c.Stats().Evictions; ev != 0 {
		f.t.Errorf("the store evicted %d items: the test's segment is too small for its model", ev)
	}
	f.t.Fatalf("call %d: %s\ncalls:\n  %s", len(f.trace)-1, fmt.Sprintf(format, args...), strings.Join(f.trace, "\n  "))
}

func (f *apiFuzz) note(format string, args ...any) {
	s := fmt.Sprintf(format, args...)
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	f.trace = append(f.trace, s)
}

// checkErr compares an answer's error with the model's.
func (f *apiFuzz) checkErr(what string, got, want error) {
	f.t.Helper()
	if !sameErr(got, want) {
		f.fail("%s: error %v, model %v", what, got, want)
	}
}

// guard snapshots the in-segment part of the buffers a call gets; the returned function
// verifies, after a call that must have been refused, that none of it changed.
func (f *apiFuzz) guard(bufs ...buf) func() {
	var saved [][]byte
	for _, b := range bufs {
		saved = append(saved, bytes.Clone(b.inside))
	}
	return func() {
		for i, b := range bufs {
			if !bytes.Equal(b.inside, saved[i]) {
				f.fail("a refused call changed a caller buffer that lies in the segment")
			}
		}
	}
}

// finalCheck reads back every item the model holds, and runs the store's own check.
func (f *apiFuzz) finalCheck() {
	f.note("final read-back at %d", f.clock.Now())
	now := f.clock.Now()
	dst := make([]byte, f.m.maxItem)
	for k := range f.m.items {
		want, wantV, wantErr := f.m.get([]byte(k), now, false, 0, len(dst))
		got, err := f.s.GetInto([]byte(k), dst)
		f.checkErr(fmt.Sprintf("read-back %q", k), err, wantErr)
		if got != want || !bytes.Equal(dst[:got.Len], wantV) {
			f.fail("read-back %q: %+v %q, model %+v %q", k, got, dst[:got.Len], want, wantV)
		}
	}
	if ev := f.c.Stats().Evictions; ev != 0 {
		f.fail("the store evicted %d items: the test's segment is too small for its model", ev)
	}
	if err := f.c.Check(); err != nil {
		f.fail("Check: %v", err)
	}
}
