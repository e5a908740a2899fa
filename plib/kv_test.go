package plib

import (
	"errors"
	"path/filepath"
	"testing"
)

// TestKeyRules: plib's API keeps gomemcache's key rule; a session that AcceptAnyKey
// stores keys with control bytes, as memcached's protocols need.
func TestKeyRules(t *testing.T) {
	c, err := Open(filepath.Join(t.TempDir(), "seg"), Options{Size: 32 << 20, MaxClients: 4, Protection: ModeNoPKU})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	key := []byte("\x10\x10k\tx\x7f")
	if err := c.Set(&Item{Key: string(key), Value: []byte("v")}); !errors.Is(err, ErrMalformedKey) {
		t.Fatalf("Client.Set of a control-byte key: %v, want ErrMalformedKey", err)
	}
	s, err := c.Session()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Set(key, []byte("v"), 0, 0); !errors.Is(err, ErrMalformedKey) {
		t.Fatalf("Session.Set before AcceptAnyKey: %v, want ErrMalformedKey", err)
	}
	s.AcceptAnyKey()
	if err := s.Set(key, []byte("v"), 0, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetInto(key, make([]byte, 4)); err != nil {
		t.Fatal(err)
	}
	if err := s.Unlink(key); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetInto(key, make([]byte, 4)); !errors.Is(err, ErrCacheMiss) {
		t.Fatalf("after Unlink: %v", err)
	}
}

// TestClientLeases: GetLease hands the refresh token out once, vivifying a missing item;
// Invalidate makes the item stale and hands the token out again.
func TestClientLeases(t *testing.T) {
	c, err := Open(filepath.Join(t.TempDir(), "seg"), Options{Size: 32 << 20, MaxClients: 4, Protection: ModeNoPKU})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	req := LeaseReq{Vivify: true, VivifyExptime: 30}
	if _, l, err := c.GetLease("k", req); err != nil || !l.Won || !l.Created {
		t.Fatalf("first GetLease: %+v %v, want a created item and a win", l, err)
	}
	if _, l, err := c.GetLease("k", req); err != nil || l.Won || !l.TokenSent {
		t.Fatalf("second GetLease: %+v %v, want the token already sent", l, err)
	}
	if err := c.Set(&Item{Key: "k", Value: []byte("v")}); err != nil {
		t.Fatal(err)
	}
	if it, l, err := c.GetLease("k", req); err != nil || l.Won || l.TokenSent || string(it.Value) != "v" {
		t.Fatalf("after Set: %+v %+v %v", it, l, err)
	}
	if err := c.Invalidate("k"); err != nil {
		t.Fatal(err)
	}
	if it, l, err := c.GetLease("k", LeaseReq{}); err != nil || !l.Won || !l.Stale || string(it.Value) != "v" {
		t.Fatalf("after Invalidate: %+v %+v %v, want the stale value and a win", it, l, err)
	}
	if _, _, err := c.GetLease("missing", LeaseReq{}); !errors.Is(err, ErrCacheMiss) {
		t.Fatalf("miss without Vivify: %v", err)
	}
}
