package kv

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

const testNow = 1_700_000_000

// newTestStore formats a heap region of size bytes with small pages, so a few hundred
// items exercise eviction and page moves.
func newTestStore(t testing.TB, size int, cfg Config) (*Store, *ManualClock) {
	t.Helper()
	clock := NewManualClock(testNow)
	s, err := Format(alignedRegion(size), cfg, Options{Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	return s, clock
}

// alignedRegion returns a zeroed, 64-byte aligned heap slice of n bytes.
func alignedRegion(n int) []byte {
	b := make([]byte, n+cacheLine)
	off := 0
	for uintptr(unsafePtr(b[off:]))%cacheLine != 0 {
		off++
	}
	return b[off : off+n : off+n]
}

func mustCheck(t testing.TB, s *Store) {
	t.Helper()
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
}

func TestBasicCommands(t *testing.T) {
	s, _ := newTestStore(t, 8<<20, Config{})
	buf := make([]byte, 1<<20)
	get := func(key string) (string, Meta, error) {
		m, err := s.Get(0, []byte(key), buf)
		if err != nil {
			return "", m, err
		}
		return string(buf[:m.Len]), m, nil
	}
	cas1, err := s.Set(0, []byte("k"), []byte("v1"), 7, 0)
	if err != nil {
		t.Fatal(err)
	}
	if v, m, err := get("k"); err != nil || v != "v1" || m.Flags != 7 || m.CAS != cas1 {
		t.Fatalf("get = %q %+v %v", v, m, err)
	}
	if _, err := s.Store(0, ModeAdd, []byte("k"), []byte("x"), 0, 0, 0); !errors.Is(err, ErrNotStored) {
		t.Fatalf("add existing: %v", err)
	}
	if _, err := s.Store(0, ModeReplace, []byte("nope"), []byte("x"), 0, 0, 0); !errors.Is(err, ErrNotStored) {
		t.Fatalf("replace missing: %v", err)
	}
	if _, err := s.Store(0, ModeAppend, []byte("k"), []byte("-a"), 99, 0, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Store(0, ModePrepend, []byte("k"), []byte("p-"), 99, 0, 0); err != nil {
		t.Fatal(err)
	}
	v, m, _ := get("k")
	if v != "p-v1-a" || m.Flags != 7 {
		t.Fatalf("after append/prepend: %q flags %d (want flags kept 7)", v, m.Flags)
	}
	if _, err := s.Store(0, ModeCAS, []byte("k"), []byte("c"), 0, 0, m.CAS+1); !errors.Is(err, ErrExists) {
		t.Fatalf("cas mismatch: %v", err)
	}
	if _, err := s.Store(0, ModeCAS, []byte("missing"), []byte("c"), 0, 0, 5); !errors.Is(err, ErrNotFound) {
		t.Fatalf("cas missing: %v", err)
	}
	if _, err := s.Store(0, ModeCAS, []byte("k"), []byte("c"), 0, 0, m.CAS); err != nil {
		t.Fatalf("cas match: %v", err)
	}
	if err := s.Delete(0, []byte("k")); err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(0, []byte("k")); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
	mustCheck(t, s)
}

func TestIncrDecr(t *testing.T) {
	s, _ := newTestStore(t, 8<<20, Config{})
	buf := make([]byte, 64)
	set := func(v string) { s.Set(0, []byte("n"), []byte(v), 0, 0) }
	val := func() string { m, _ := s.Get(0, []byte("n"), buf); return string(buf[:m.Len]) }
	cases := []struct {
		start string
		incr  bool
		delta uint64
		want  uint64
		value string
		err   error
	}{
		{"5", true, 3, 8, "8", nil},
		{"10", false, 1, 9, "9 ", nil},                                    // memcached pads in place
		{"3", false, 10, 0, "0", nil},                                     // decr floors at 0
		{"18446744073709551615", true, 2, 1, "1                   ", nil}, // wraps at 2^64
		{"99", true, 1, 100, "100", nil},                                  // grows: new item
		{" 7 ", true, 1, 8, "8  ", nil},                                   // whitespace allowed
		{"12abc", true, 1, 0, "12abc", ErrNonNumeric},
		{"-1", true, 1, 0, "-1", ErrNonNumeric},
		{"18446744073709551616", true, 1, 0, "18446744073709551616", ErrNonNumeric},
		{"", true, 1, 0, "", ErrNonNumeric},
	}
	for _, c := range cases {
		set(c.start)
		var got uint64
		var err error
		if c.incr {
			got, err = s.Incr(0, []byte("n"), c.delta)
		} else {
			got, err = s.Decr(0, []byte("n"), c.delta)
		}
		if !errors.Is(err, c.err) || (err == nil && got != c.want) || val() != c.value {
			t.Errorf("%q incr=%v %d: got %d %v value %q, want %d %v %q", c.start, c.incr, c.delta, got, err, val(), c.want, c.err, c.value)
		}
	}
	if _, err := s.Incr(0, []byte("absent"), 1); !errors.Is(err, ErrNotFound) {
		t.Errorf("incr missing: %v", err)
	}
	mustCheck(t, s)
}

func TestExpiry(t *testing.T) {
	s, clock := newTestStore(t, 8<<20, Config{})
	buf := make([]byte, 64)
	has := func(k string) bool { _, err := s.Get(0, []byte(k), buf); return err == nil }
	s.Set(0, []byte("rel"), []byte("v"), 0, 10)
	s.Set(0, []byte("abs"), []byte("v"), 0, testNow+maxRelativeExptime+100)
	s.Set(0, []byte("neg"), []byte("v"), 0, -1)
	s.Set(0, []byte("never"), []byte("v"), 0, 0)
	s.Set(0, []byte("past"), []byte("v"), 0, maxRelativeExptime+1) // absolute, in 1970
	if !has("rel") || !has("abs") || has("neg") || !has("never") || has("past") {
		t.Fatal("wrong visibility right after set")
	}
	clock.Advance(10)
	if has("rel") {
		t.Fatal("relative exptime 10 still visible after 10 s")
	}
	if err := s.Touch(0, []byte("abs"), 5); err != nil {
		t.Fatal(err)
	}
	clock.Advance(5)
	if has("abs") || !has("never") {
		t.Fatal("touch did not shorten the expiration")
	}
	if _, err := s.GetAndTouch(0, []byte("never"), 1, buf); err != nil {
		t.Fatal(err)
	}
	clock.Advance(1)
	if has("never") {
		t.Fatal("gat did not set the expiration")
	}
	mustCheck(t, s)
}

func TestFlushAll(t *testing.T) {
	s, clock := newTestStore(t, 8<<20, Config{})
	buf := make([]byte, 64)
	has := func(k string) bool { _, err := s.Get(0, []byte(k), buf); return err == nil }
	s.Set(0, []byte("a"), []byte("v"), 0, 0)
	s.FlushAll(0, 0)
	if has("a") {
		t.Fatal("flush_all left an item")
	}
	s.Set(0, []byte("b"), []byte("v"), 0, 0)
	if !has("b") {
		t.Fatal("item stored after flush_all is gone")
	}
	s.FlushAll(0, 10)
	clock.Advance(5)
	s.Set(0, []byte("c"), []byte("v"), 0, 0)
	if !has("b") || !has("c") {
		t.Fatal("delayed flush acted early")
	}
	clock.Advance(5)
	if has("b") || has("c") {
		t.Fatal("delayed flush did not act at its deadline")
	}
	s.Set(0, []byte("d"), []byte("v"), 0, 0)
	if !has("d") {
		t.Fatal("item stored after the deadline is gone")
	}
	// A passed deadline's effect is permanent: a new delayed flush does not bring back what
	// the old one flushed (e was stored before it, and never read since).
	s.Set(0, []byte("e"), []byte("v"), 0, 0)
	s.FlushAll(0, 5)
	clock.Advance(5)
	s.FlushAll(0, 100)
	if has("e") {
		t.Fatal("a later delayed flush_all resurrected an item the earlier one had flushed")
	}
	mustCheck(t, s)
}

func TestBadInputLeavesStoreUnchanged(t *testing.T) {
	s, _ := newTestStore(t, 8<<20, Config{MaxItemSize: 4096, PageSize: 64 << 10})
	s.Set(0, []byte("k"), []byte("old"), 0, 0)
	s.Set(0, []byte("n"), []byte("text"), 0, 0)
	before := s.Stats()
	cases := []struct {
		name string
		run  func() error
		want error
	}{
		{"empty key", func() error { _, err := s.Set(0, nil, []byte("v"), 0, 0); return err }, ErrMalformedKey},
		{"251-byte key", func() error { _, err := s.Set(0, []byte(strings.Repeat("k", 251)), nil, 0, 0); return err }, ErrMalformedKey},
		{"non-numeric incr", func() error { _, err := s.Incr(0, []byte("n"), 1); return err }, ErrNonNumeric},
		{"cas id 0", func() error { _, err := s.Store(0, ModeCAS, []byte("k"), []byte("v"), 0, 0, 0); return err }, ErrInvalidCAS},
		{"bad slot", func() error { _, err := s.Get(Slot(s.MaxSlots()), []byte("k"), nil); return err }, ErrBadSlot},
		{"small buffer", func() error { _, err := s.Get(0, []byte("k"), make([]byte, 2)); return err }, ErrBufferTooSmall},
		{"append too large", func() error {
			_, err := s.Store(0, ModeAppend, []byte("k"), make([]byte, 4096), 0, 0, 0)
			return err
		}, ErrValueTooLarge},
	}
	for _, c := range cases {
		if err := c.run(); !errors.Is(err, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, err, c.want)
		}
	}
	buf := make([]byte, 16)
	if m, err := s.Get(0, []byte("k"), buf); err != nil || string(buf[:m.Len]) != "old" {
		t.Fatalf("k changed: %q %v", buf[:m.Len], err)
	}
	after := s.Stats()
	if after.CurrItems != before.CurrItems || after.Bytes != before.Bytes {
		t.Fatalf("bad input changed the store: %d/%d items, %d/%d bytes", before.CurrItems, after.CurrItems, before.Bytes, after.Bytes)
	}
	// A too-large set removes the old value, as memcached does.
	if _, err := s.Set(0, []byte("k"), make([]byte, 4096), 0, 0); !errors.Is(err, ErrValueTooLarge) {
		t.Fatalf("too-large set: %v", err)
	}
	if _, err := s.Get(0, []byte("k"), buf); !errors.Is(err, ErrNotFound) {
		t.Fatalf("too-large set kept the old value: %v", err)
	}
	mustCheck(t, s)
}

func TestEvictionUnderTinyRegion(t *testing.T) {
	evicted := 0
	clock := NewManualClock(testNow)
	s, err := Format(alignedRegion(1<<20), Config{MaxItemSize: 16 << 10, PageSize: 64 << 10, Stripes: 64, MaxSlots: 4},
		Options{Clock: clock, OnEvict: func([]byte) { evicted++ }})
	if err != nil {
		t.Fatal(err)
	}
	// Fill with small items, then store large ones: pages must move between classes.
	for i := 0; i < 20000; i++ {
		if _, err := s.Set(0, []byte(fmt.Sprint("small", i)), make([]byte, 100), 0, 0); err != nil {
			t.Fatalf("small set %d: %v", i, err)
		}
	}
	for i := 0; i < 200; i++ {
		if _, err := s.Set(0, []byte(fmt.Sprint("large", i)), make([]byte, 12000), 0, 0); err != nil {
			t.Fatalf("large set %d: %v", i, err)
		}
	}
	st := s.Stats()
	if evicted == 0 || st.Evictions != uint64(evicted) {
		t.Fatalf("evictions: hook saw %d, stats say %d", evicted, st.Evictions)
	}
	mustCheck(t, s)
}

func TestHashTableGrows(t *testing.T) {
	s, _ := newTestStore(t, 64<<20, Config{Stripes: 16, ExpectedItems: 1})
	p0 := s.Stats().HashPower
	n := 6 << p0 // grows at 1.5, 3 and 6 items per original bucket
	for i := 0; i < n; i++ {
		if _, err := s.Set(0, []byte(fmt.Sprint("key", i)), []byte("v"), 0, 0); err != nil {
			t.Fatal(err)
		}
		if i%997 == 0 {
			mustCheck(t, s) // mid-migration states are consistent too
		}
	}
	st := s.Stats()
	if st.HashPower < p0+2 {
		t.Fatalf("hash power %d -> %d after %d items", p0, st.HashPower, n)
	}
	buf := make([]byte, 8)
	for i := 0; i < n; i++ {
		if _, err := s.Get(0, []byte(fmt.Sprint("key", i)), buf); err != nil {
			t.Fatalf("key%d lost after growth: %v", i, err)
		}
	}
	mustCheck(t, s)
}

func TestOpenValidates(t *testing.T) {
	region := alignedRegion(4 << 20)
	if _, err := Format(region, Config{}, Options{}); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(region, Options{}); err != nil {
		t.Fatalf("open of a fresh region: %v", err)
	}
	mutate := func(f func(b []byte)) []byte {
		b := alignedRegion(len(region))
		copy(b, region)
		f(b)
		return b
	}
	cases := []struct {
		name   string
		region []byte
		want   error
	}{
		{"foreign", mutate(func(b []byte) { copy(b, "GIF89a..") }), ErrNotRegion},
		{"version", mutate(func(b []byte) { b[hVersion] = 9 }), ErrVersion},
		{"checksum", mutate(func(b []byte) { b[hMaxItem+1] ^= 1 }), ErrHeaderChecksum},
		{"truncated", region[:len(region)-4096], ErrTruncated},
		{"header only part", region[:100], ErrTruncated},
		{"bad table", mutate(func(b []byte) { b[hPrimary+3] = 0x7f }), ErrCorrupt},
	}
	for _, c := range cases {
		if _, err := Open(c.region, Options{}); !errors.Is(err, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, err, c.want)
		}
	}
	big := alignedRegion(len(region) + 4096)
	copy(big, region)
	if _, err := Open(big, Options{}); !errors.Is(err, ErrSizeMismatch) {
		t.Errorf("longer region: %v", err)
	}
}
