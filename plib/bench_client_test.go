package plib

import (
	"path/filepath"
	"testing"
)

// BenchmarkClientCall runs the Client's pooled calls (Get, which allocates the Item;
// GetInto, which does not; Set) on 128-byte values in NoPKU mode: the trampoline's
// bookkeeping (pool, defers, clock) without the WRPKRU pair, whose cost BenchmarkCall's
// pku cases show where the CPU has PKU.
func BenchmarkClientCall(b *testing.B) {
	for _, op := range []string{"Get", "GetInto", "Set"} {
		b.Run(op+"128B", func(b *testing.B) {
			opts := Options{Size: 64 << 20, MaxItemSize: 4096, MaxClients: 4, ExpectedItems: benchItems, Protection: ModeNoPKU}
			c, err := Open(filepath.Join(b.TempDir(), "seg"), opts)
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			value, dst, key := make([]byte, 128), make([]byte, 128), make([]byte, 0, 32)
			keys := make([]string, benchItems)
			for i := range keys {
				key = benchKey(key, i)
				keys[i] = string(key)
				if err := c.Set(&Item{Key: keys[i], Value: value}); err != nil {
					b.Fatal(err)
				}
			}
			item := &Item{Value: value}
			x := uint64(88172645463325252)
			b.ReportAllocs()
			for b.Loop() {
				x ^= x << 13
				x ^= x >> 7
				x ^= x << 17
				i := int(x % benchItems)
				switch op {
				case "Get":
					if _, err := c.Get(keys[i]); err != nil {
						b.Fatal(err)
					}
				case "GetInto":
					if _, err := c.GetInto(benchKey(key, i), dst); err != nil {
						b.Fatal(err)
					}
				default:
					item.Key = keys[i]
					if err := c.Set(item); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
