package kv

import (
	"fmt"
	"strconv"
	"sync"
	"testing"
)

// The benchmarks run one body over two implementations: the store over a heap region and a
// map[string][]byte behind a mutex, the in-process floor. Both hold benchSmall 128-byte
// items and benchLarge 5 KiB items (at least a million in all) with YCSB-shaped keys.
const (
	benchSmall = 1_000_000
	benchLarge = 100_000
)

type benchTarget interface {
	get(key, dst []byte) int
	set(key, value []byte)
}

type kvTarget struct{ s *Store }

func (t kvTarget) get(key, dst []byte) int {
	m, err := t.s.Get(0, key, dst)
	if err != nil {
		panic(err)
	}
	return m.Len
}

func (t kvTarget) set(key, value []byte) {
	if _, err := t.s.Set(0, key, value, 0, 0); err != nil {
		panic(err)
	}
}

type mapTarget struct {
	mu sync.RWMutex
	m  map[string][]byte
}

func (t *mapTarget) get(key, dst []byte) int {
	t.mu.RLock()
	v, ok := t.m[string(key)]
	n := copy(dst, v)
	t.mu.RUnlock()
	if !ok {
		panic("miss")
	}
	return n
}

func (t *mapTarget) set(key, value []byte) {
	t.mu.Lock()
	old := t.m[string(key)]
	if len(old) == len(value) {
		copy(old, value) // reuse, as the store reuses its chunk
	} else {
		t.m[string(key)] = append([]byte(nil), value...)
	}
	t.mu.Unlock()
}

// benchKey builds a YCSB-shaped key ("user" and about 19 digits) without allocating.
func benchKey(dst []byte, size string, i int) []byte {
	dst = append(append(dst[:0], "user"...), size...)
	return strconv.AppendUint(dst, uint64(i)*0x9E3779B97F4A7C15>>1, 10)
}

var (
	benchOnce    sync.Once
	benchTargets map[string]benchTarget
)

func loadBenchTargets(b *testing.B) map[string]benchTarget {
	benchOnce.Do(func() {
		s, err := Format(alignedRegion(1<<30+512<<20), Config{ExpectedItems: benchSmall + benchLarge}, Options{})
		if err != nil {
			b.Fatal(err)
		}
		mt := &mapTarget{m: make(map[string][]byte, benchSmall+benchLarge)}
		benchTargets = map[string]benchTarget{"kv": kvTarget{s}, "map": mt}
		key := make([]byte, 0, 64)
		small, large := make([]byte, 128), make([]byte, 5120)
		for _, t := range benchTargets {
			for i := 0; i < benchSmall; i++ {
				t.set(benchKey(key, "s", i), small)
			}
			for i := 0; i < benchLarge; i++ {
				t.set(benchKey(key, "L", i), large)
			}
		}
	})
	return benchTargets
}

// BenchmarkStore reports Get and Set at 128 B and 5 KiB for the store and the map, keys
// drawn uniformly from the loaded set, so that most lookups miss the CPU caches.
func BenchmarkStore(b *testing.B) {
	targets := loadBenchTargets(b)
	for _, op := range []string{"Get", "Set"} {
		for _, size := range []struct {
			name  string
			n     int
			value int
		}{{"128B", benchSmall, 128}, {"5KB", benchLarge, 5120}} {
			for _, impl := range []string{"kv", "map"} {
				b.Run(fmt.Sprintf("%s/%s/%s", op, size.name, impl), func(b *testing.B) {
					t := targets[impl]
					key, buf := make([]byte, 0, 64), make([]byte, size.value)
					prefix := map[int]string{128: "s", 5120: "L"}[size.value]
					x := uint64(88172645463325252)
					b.ReportAllocs()
					b.SetBytes(int64(size.value))
					for b.Loop() {
						x ^= x << 13
						x ^= x >> 7
						x ^= x << 17
						key = benchKey(key, prefix, int(x%uint64(size.n)))
						if op == "Get" {
							t.get(key, buf)
						} else {
							t.set(key, buf)
						}
					}
				})
			}
		}
	}
}
