package plib

import (
	"path/filepath"
	"strconv"
	"testing"

	"github.com/plibcached/plibcached/kv"
)

const benchItems = 100_000

// BenchmarkCall runs Get and Set of 128-byte values through a Session in each protection
// mode, beside the same kv calls made directly (no trampoline, no copies): one body, every
// implementation, so the ratios come from one run. PKU skips where the CPU lacks it.
func BenchmarkCall(b *testing.B) {
	for _, op := range []string{"Get128B", "Set128B"} {
		for _, mode := range []string{"kv-direct", "nopku", "pku"} {
			b.Run(op+"/"+mode, func(b *testing.B) {
				if mode == "pku" {
					skipWithoutPKU(b)
				}
				opts := Options{Size: 64 << 20, MaxItemSize: 4096, MaxClients: 4, ExpectedItems: benchItems, Protection: ModeNoPKU}
				if mode == "pku" {
					opts.Protection = ModePKU
				}
				c, err := Open(filepath.Join(b.TempDir(), "seg"), opts)
				if err != nil {
					b.Fatal(err)
				}
				defer c.Close()
				s, err := c.Session()
				if err != nil {
					b.Fatal(err)
				}
				value, dst, key := make([]byte, 128), make([]byte, 128), make([]byte, 0, 32)
				for i := 0; i < benchItems; i++ {
					if err := s.Set(benchKey(key, i), value, 0, 0); err != nil {
						b.Fatal(err)
					}
				}
				get, set := benchCalls(c, s, mode == "kv-direct")
				x := uint64(88172645463325252)
				b.ReportAllocs()
				for b.Loop() {
					x ^= x << 13
					x ^= x >> 7
					x ^= x << 17
					key = benchKey(key, int(x%benchItems))
					if op == "Get128B" {
						get(key, dst)
					} else {
						set(key, value)
					}
				}
			})
		}
	}
}

func benchKey(dst []byte, i int) []byte {
	return strconv.AppendUint(append(dst[:0], "user"...), uint64(i)*0x9E3779B97F4A7C15>>1, 10)
}

// benchCalls returns the session's calls, or with direct the kv calls they wrap.
func benchCalls(c *Client, s *Session, direct bool) (get func(k, dst []byte), set func(k, v []byte)) {
	if !direct {
		return func(k, dst []byte) {
				if _, err := s.GetInto(k, dst); err != nil {
					panic(err)
				}
			}, func(k, v []byte) {
				if err := s.Set(k, v, 0, 0); err != nil {
					panic(err)
				}
			}
	}
	return func(k, dst []byte) {
			if _, err := c.store.Get(s.slot, k, dst); err != nil {
				panic(err)
			}
		}, func(k, v []byte) {
			if _, err := c.store.Store(s.slot, kv.ModeSet, k, v, 0, 0, 0); err != nil {
				panic(err)
			}
		}
}
