package plib

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// testOptions keeps segments small: 32 MiB, 64 KiB items, 8 slots.
func testOptions(mode Mode) Options {
	return Options{Size: 32 << 20, MaxItemSize: 64 << 10, MaxClients: 8, Protection: mode}
}

func openTest(t testing.TB, mode Mode) (*Client, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "seg")
	c, err := Open(path, testOptions(mode))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, path
}

func TestClientAPI(t *testing.T) {
	c, _ := openTest(t, ModeNoPKU)
	if _, err := c.Get("nope"); err != ErrCacheMiss {
		t.Fatalf("get missing: %v", err)
	}
	if err := c.Set(&Item{Key: "k", Value: []byte("v1"), Flags: 42}); err != nil {
		t.Fatal(err)
	}
	it, err := c.Get("k")
	if err != nil || string(it.Value) != "v1" || it.Flags != 42 || it.CasID == 0 {
		t.Fatalf("get: %+v %v", it, err)
	}
	if err := c.Add(&Item{Key: "k", Value: []byte("x")}); err != ErrNotStored {
		t.Fatalf("add existing: %v", err)
	}
	if err := c.Replace(&Item{Key: "absent", Value: []byte("x")}); err != ErrNotStored {
		t.Fatalf("replace absent: %v", err)
	}
	if err := c.Append(&Item{Key: "k", Value: []byte("+a")}); err != nil {
		t.Fatal(err)
	}
	if err := c.Prepend(&Item{Key: "k", Value: []byte("p+")}); err != nil {
		t.Fatal(err)
	}
	stale := *it
	it, _ = c.Get("k")
	if string(it.Value) != "p+v1+a" || it.Flags != 42 {
		t.Fatalf("append/prepend: %q flags %d", it.Value, it.Flags)
	}
	stale.Value = []byte("stale")
	if err := c.CompareAndSwap(&stale); err != ErrCASConflict {
		t.Fatalf("cas with a stale id: %v", err)
	}
	it.Value = []byte("fresh")
	if err := c.CompareAndSwap(it); err != nil {
		t.Fatalf("cas: %v", err)
	}
	if err := c.CompareAndSwap(&Item{Key: "absent", Value: []byte("x"), CasID: 1}); err != ErrNotStored {
		t.Fatalf("cas of a missing key: %v", err)
	}
	c.Set(&Item{Key: "n", Value: []byte("10")})
	if v, err := c.Increment("n", 5); err != nil || v != 15 {
		t.Fatalf("incr: %d %v", v, err)
	}
	if v, err := c.Decrement("n", 100); err != nil || v != 0 {
		t.Fatalf("decr: %d %v", v, err)
	}
	if _, err := c.Increment("k", 1); err != ErrNonNumeric {
		t.Fatalf("incr non-numeric: %v", err)
	}
	if err := c.Touch("k", 100); err != nil {
		t.Fatal(err)
	}
	if _, err := c.GetAndTouch("k", 0); err != nil {
		t.Fatal(err)
	}
	m, err := c.GetMulti([]string{"k", "n", "absent"})
	if err != nil || len(m) != 2 || string(m["k"].Value) != "fresh" {
		t.Fatalf("getmulti: %v %v", m, err)
	}
	if err := c.Delete("k"); err != nil {
		t.Fatal(err)
	}
	if err := c.Delete("k"); err != ErrCacheMiss {
		t.Fatalf("second delete: %v", err)
	}
	if err := c.FlushAll(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Get("n"); err != ErrCacheMiss {
		t.Fatalf("after flush: %v", err)
	}
	if err := c.Check(); err != nil {
		t.Fatal(err)
	}
}

func TestBadInput(t *testing.T) {
	c, _ := openTest(t, ModeNoPKU)
	c.Set(&Item{Key: "k", Value: []byte("old")})
	cases := []struct {
		name string
		err  error
		want error
	}{
		{"empty key", c.Set(&Item{Key: "", Value: []byte("v")}), ErrMalformedKey},
		{"251-byte key", c.Set(&Item{Key: strings.Repeat("a", 251)}), ErrMalformedKey},
		{"space in key", c.Set(&Item{Key: "a b"}), ErrMalformedKey},
		{"control byte", c.Delete("a\x01"), ErrMalformedKey},
		{"too large append", c.Append(&Item{Key: "k", Value: make([]byte, 70<<10)}), ErrValueTooLarge},
	}
	for _, tc := range cases {
		if !errors.Is(tc.err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, tc.err, tc.want)
		}
	}
	if it, err := c.Get("k"); err != nil || string(it.Value) != "old" {
		t.Fatalf("bad input changed k: %v %v", it, err)
	}
	if err := c.Set(&Item{Key: "k", Value: make([]byte, 70<<10)}); err != ErrValueTooLarge {
		t.Fatalf("too-large set: %v", err)
	}
	if _, err := c.Get("k"); err != ErrCacheMiss {
		t.Fatalf("a too-large set must remove the old value (memcached): %v", err)
	}
	if err := c.Check(); err != nil {
		t.Fatal(err)
	}
}
