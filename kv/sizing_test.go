package kv

import (
	"fmt"
	"testing"
)

// TestRegionSizeForHolds loads as many items as the estimate is for, into a region of
// exactly the estimated size, and requires no eviction, with its classes split into shards.
func TestRegionSizeForHolds(t *testing.T) {
	for _, c := range []struct{ items, value int }{{20000, 128}, {2000, 5120}, {100, 100000}} {
		key := "user1234567890123456789"
		size, err := RegionSizeFor(int64(c.items), ItemSize(len(key), c.value), Config{})
		if err != nil {
			t.Fatal(err)
		}
		s, err := Format(alignedRegion(int(size)), Config{ExpectedItems: int64(c.items)}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if want := uint64(mostShards(s.numSizeClasses())); s.g.shards != want {
			t.Errorf("a region sized for %d items has %d class shards, want %d (the estimate is for a store that scales)", c.items, s.g.shards, want)
		}
		v := make([]byte, c.value)
		for i := 0; i < c.items; i++ {
			if _, err := s.Set(0, []byte(fmt.Sprintf("user%019d", i)), v, 0, 0); err != nil {
				t.Fatal(err)
			}
		}
		if st := s.Stats(); st.Evictions != 0 || st.CurrItems != uint64(c.items) {
			t.Errorf("%d items of %d B in %d bytes: %d stored, %d evicted", c.items, c.value, size, st.CurrItems, st.Evictions)
		}
	}
}
