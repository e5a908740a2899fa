package kv

import (
	"errors"
	"testing"
)

func newCompatStore(t *testing.T) *Store {
	t.Helper()
	cfg := Config{MaxSlots: 4}
	size, err := RegionSizeForItemMemory(4<<20, cfg)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Format(make([]byte, size), cfg, Options{Clock: NewManualClock(1_000_000)})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestFlushTakesCASID: memcached's flush_all takes a CAS id (its flush cliff), so the
// next item's id skips one; a flush_all 1 acts at once, as memcached's deadline minus a
// second does.
func TestFlushTakesCASID(t *testing.T) {
	s := newCompatStore(t)
	c1, _ := s.Set(0, []byte("a"), []byte("1"), 0, 0)
	if err := s.FlushAll(0, 0); err != nil {
		t.Fatal(err)
	}
	c2, _ := s.Set(0, []byte("b"), []byte("1"), 0, 0)
	if c2 != c1+2 {
		t.Fatalf("CAS ids %d then %d across flush_all: want a gap of one", c1, c2)
	}
	if err := s.FlushAll(0, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(0, []byte("b"), make([]byte, 8)); !errors.Is(err, ErrNotFound) {
		t.Fatalf("after flush_all 1: %v, want a miss", err)
	}
	if c3, _ := s.Set(0, []byte("c"), []byte("1"), 0, 0); c3 != c2+2 {
		t.Fatalf("CAS id %d after flush_all 1, want %d", c3, c2+2)
	}
}

// TestGetTooSmallCountsNothing: a get into too short a buffer changes and counts nothing,
// so the caller's retry counts the get once.
func TestGetTooSmallCountsNothing(t *testing.T) {
	s := newCompatStore(t)
	s.Set(0, []byte("a"), make([]byte, 100), 0, 0)
	m, err := s.Get(0, []byte("a"), make([]byte, 10))
	if !errors.Is(err, ErrBufferTooSmall) || m.Len != 100 || m.Fetched {
		t.Fatalf("short get: %+v %v", m, err)
	}
	if _, err := s.Get(0, []byte("a"), make([]byte, 100)); err != nil {
		t.Fatal(err)
	}
	if st := s.Stats(); st.CmdGet != 1 || st.GetHits != 1 {
		t.Fatalf("cmd_get %d get_hits %d, want 1 and 1", st.CmdGet, st.GetHits)
	}
}

// TestAllocReclaimsExpired: memory of expired and flushed items is used again before a
// new page is taken, and counted as reclaimed, as memcached's allocation (and its LRU
// maintainer) does (memcached's t/issue_14.t, issue_163.t, issue_183.t).
func TestAllocReclaimsExpired(t *testing.T) {
	s := newCompatStore(t)
	clock := s.clock.(*ManualClock)
	value := make([]byte, 66560)
	for i := 0; i < 10; i++ {
		if _, err := s.Set(0, []byte{'a', byte('0' + i)}, value, 0, 2); err != nil {
			t.Fatal(err)
		}
	}
	pages := s.Stats().TotalPages - s.Stats().FreePages - s.Stats().UnusedPages
	clock.Advance(4)
	for i := 0; i < 10; i++ {
		if _, err := s.Set(0, []byte{'b', byte('0' + i)}, value, 0, 2); err != nil {
			t.Fatal(err)
		}
	}
	st := s.Stats()
	if used := st.TotalPages - st.FreePages - st.UnusedPages; used != pages || st.Reclaimed != 10 {
		t.Fatalf("pages in use %d then %d, reclaimed %d: want the same pages, 10 reclaimed", pages, used, st.Reclaimed)
	}
	s.FlushAll(0, 0)
	s.Set(0, []byte("c"), []byte("1"), 0, 0)
	s.Set(0, []byte("d"), value, 0, 0)
	if st := s.Stats(); st.Reclaimed != 11 {
		t.Fatalf("reclaimed %d after a flush and a set in the class, want 11", st.Reclaimed)
	}
}

// TestAnyKeyByte: the store holds keys with spaces, control bytes and DEL (memcached's
// protocols pass them); CheckKey keeps the stricter rule for clients' APIs.
func TestAnyKeyByte(t *testing.T) {
	s := newCompatStore(t)
	for _, k := range []string{"a b", "a\n", "a\x7f", "\x10\x10\x10k", "\x00"} {
		if _, err := s.Set(0, []byte(k), []byte("v"), 0, 0); err != nil {
			t.Fatalf("%q: %v", k, err)
		}
		if _, err := s.Get(0, []byte(k), make([]byte, 1)); err != nil {
			t.Fatalf("%q: %v", k, err)
		}
		if CheckKey([]byte(k)) == nil {
			t.Fatalf("CheckKey(%q) accepted", k)
		}
	}
}

// TestLazyReclaimCounted: an expired item met by a lookup (here a set of its key) is
// reclaimed and counted, as memcached's LRU maintainer reclaims it (t/issue_163.t).
func TestLazyReclaimCounted(t *testing.T) {
	s := newCompatStore(t)
	s.Set(0, []byte("key"), make([]byte, 66560), 0, 1)
	s.clock.(*ManualClock).Advance(3)
	s.Set(0, []byte("key"), make([]byte, 66570), 0, 0)
	if st := s.Stats(); st.Reclaimed != 1 {
		t.Fatalf("reclaimed %d, want 1", st.Reclaimed)
	}
}
