package kv

import (
	"errors"
	"fmt"
	"testing"
)

// TestNoEvict: with Options.NoEvict (memcached's -M) a full store refuses new items with
// ErrOutOfMemory and keeps every item it stored; without it, the same writes evict.
func TestNoEvict(t *testing.T) {
	for _, noEvict := range []bool{true, false} {
		cfg := Config{MaxSlots: 4}
		size, err := RegionSizeForItemMemory(2<<20, cfg)
		if err != nil {
			t.Fatal(err)
		}
		s, err := Format(make([]byte, size), cfg, Options{NoEvict: noEvict})
		if err != nil {
			t.Fatal(err)
		}
		value := make([]byte, 8192)
		stored, refused := 0, 0
		for i := 0; i < 1000 && refused < 3; i++ { // a refusal retries for a while: few
			_, err := s.Set(0, fmt.Appendf(nil, "k%d", i), value, 0, 0)
			switch {
			case err == nil:
				stored++
			case errors.Is(err, ErrOutOfMemory):
				refused++
			default:
				t.Fatal(err)
			}
		}
		st := s.Stats()
		if !noEvict {
			if refused != 0 || st.Evictions == 0 {
				t.Fatalf("evicting store: %d refused, %d evictions", refused, st.Evictions)
			}
			continue
		}
		if refused == 0 || st.Evictions != 0 {
			t.Fatalf("NoEvict: %d stored, %d refused, %d evictions", stored, refused, st.Evictions)
		}
		dst := make([]byte, len(value))
		for i := 0; i < stored; i++ {
			if _, err := s.Get(0, fmt.Appendf(nil, "k%d", i), dst); err != nil {
				t.Fatalf("NoEvict: k%d of the %d stored: %v", i, stored, err)
			}
		}
	}
}
