package kv

import (
	"flag"
	"path/filepath"
	"testing"
	"time"
)

var (
	fullScale = flag.Bool("kv.fullscale", false, "run the full-scale memory test (40M items, 10 GiB region)")
	fullItems = flag.Int("kv.items", 40_000_000, "items for the full-scale memory test")
	fullDir   = flag.String("kv.dir", "/dev/shm", "directory for the full-scale test's region file")
)

// TestFullScaleMemory loads 40 million items with 128-byte values and YCSB-shaped keys
// ("user" and 19 digits) into a 10 GiB file-backed region, and requires that they all fit
// without one eviction. It reports the per-item overhead. `make kv-memory` runs it.
func TestFullScaleMemory(t *testing.T) {
	if !*fullScale {
		t.Skip("full-scale memory test: run with -kv.fullscale (make kv-memory)")
	}
	const regionSize = 10 << 30
	path := filepath.Join(*fullDir, "plibcached-kv-fullscale-test")
	region := mapFile(t, path, regionSize, true)
	t.Cleanup(func() { removeFile(path) })
	n := *fullItems
	s, err := Format(region, Config{ExpectedItems: int64(n)}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	key, value := make([]byte, 0, 32), make([]byte, 128)
	var keyBytes uint64
	start := time.Now()
	for i := 0; i < n; i++ {
		key = benchKey(key, "", i)
		keyBytes += uint64(len(key))
		if _, err := s.Set(0, key, value, 0, 0); err != nil {
			t.Fatalf("item %d: %v", i, err)
		}
		if i%5_000_000 == 0 && i > 0 {
			t.Logf("%d items, %.1f s", i, time.Since(start).Seconds())
		}
	}
	st := s.Stats()
	if st.Evictions != 0 || st.CurrItems != uint64(n) {
		t.Fatalf("%d items stored, %d evictions", st.CurrItems, st.Evictions)
	}
	var slabBytes uint64
	for _, c := range st.Slabs {
		slabBytes += c.TotalPages << s.pageShift
	}
	payload := keyBytes + uint64(n)*128
	used := slabBytes + st.HashBytes + s.g.firstPage - s.g.initTableOff
	t.Logf("%d items of 128 B with %.1f-byte keys loaded in %.1f s", n, float64(keyBytes)/float64(n), time.Since(start).Seconds())
	t.Logf("item header: %d B/item (memcached: 48 + 8 CAS = 56)", itemHeaderSize)
	t.Logf("slab pages: %.2f GiB; hash table: %.2f GiB (power %d); region %.2f GiB, %d pages unused",
		gib(slabBytes), gib(st.HashBytes), st.HashPower, gib(regionSize), st.UnusedPages)
	t.Logf("overhead beyond key+value: %.1f B/item (header %d, slab rounding %.1f, hash table %.1f)",
		float64(used-payload)/float64(n), itemHeaderSize,
		float64(slabBytes-payload-uint64(n)*itemHeaderSize)/float64(n), float64(st.HashBytes)/float64(n))
	for _, c := range st.Slabs {
		t.Logf("class %d: chunk %d B, %d pages, %d items", c.Class, c.ChunkSize, c.TotalPages, c.Items)
	}
}

func gib(b uint64) float64 { return float64(b) / (1 << 30) }
