package kv

import "testing"

// TestRegionSizeForItemMemory: a region of that size has exactly the asked-for pages.
func TestRegionSizeForItemMemory(t *testing.T) {
	for _, mb := range []int64{1, 3, 64} {
		cfg := Config{MaxSlots: 8}
		size, err := RegionSizeForItemMemory(mb<<20, cfg)
		if err != nil {
			t.Fatal(err)
		}
		s, err := Format(make([]byte, size), cfg, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if got := s.Stats().TotalPages; got != uint64(mb) {
			t.Errorf("%d MiB: %d pages", mb, got)
		}
	}
}
