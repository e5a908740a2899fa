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
