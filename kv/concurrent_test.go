package kv

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
)

// TestConcurrentClients runs goroutines in distinct slots against one small region, so
// that locking, eviction, page moves and hash growth all interleave; run it under -race.
// Afterwards counters equal the acknowledged increments and Check passes. It runs once
// with one LRU per class and once with classes split into shards (shards.go).
func TestConcurrentClients(t *testing.T) {
	for _, c := range []struct {
		size   int
		shards int
	}{{2 << 20, 1}, {3 << 20, 4}} {
		t.Run(fmt.Sprint("shards", c.shards), func(t *testing.T) { runConcurrent(t, c.size, c.shards) })
	}
}

func runConcurrent(t *testing.T, size, shards int) {
	const workers, counters = 8, 16
	ops := 20000
	if testing.Short() {
		ops = 5000
	}
	s, _ := newTestStore(t, size, Config{MaxItemSize: 16 << 10, PageSize: 64 << 10, Stripes: 64, ExpectedItems: 1, MaxSlots: workers, ClassShards: shards})
	for c := 0; c < counters; c++ {
		// Counters live in their own class (a value of 100 digits' width): other keys'
		// churn would otherwise evict them, and lost counters prove nothing.
		if _, err := s.Set(0, []byte(fmt.Sprint("counter", c)), []byte("0"), 0, 0); err != nil {
			t.Fatal(err)
		}
	}
	acked := make([][counters]uint64, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			slot := Slot(w)
			rng := rand.New(rand.NewPCG(uint64(w), 1))
			buf := make([]byte, 16<<10)
			for i := 0; i < ops; i++ {
				key := []byte(fmt.Sprint("key", rng.IntN(6000)))
				switch rng.IntN(10) {
				case 0, 1, 2:
					if _, err := s.Set(slot, key, make([]byte, rng.IntN(800)), uint32(w), 0); err != nil {
						t.Error(err)
						return
					}
				case 3, 4, 5:
					if _, err := s.Get(slot, key, buf); err != nil && !errors.Is(err, ErrNotFound) {
						t.Error(err)
						return
					}
				case 6:
					s.Delete(slot, key)
				case 7:
					s.Store(slot, ModeAppend, key, []byte("tail"), 0, 0, 0)
				default:
					c := rng.IntN(counters)
					if _, err := s.Incr(slot, []byte(fmt.Sprint("counter", c)), 1); err == nil {
						acked[w][c]++
					} else if !errors.Is(err, ErrNotFound) {
						t.Error(err)
						return
					}
				}
			}
		}(w)
	}
	wg.Wait()
	mustCheck(t, s)
	buf := make([]byte, 32)
	present := 0
	for c := 0; c < counters; c++ {
		var want uint64
		for w := range acked {
			want += acked[w][c]
		}
		m, err := s.Get(0, []byte(fmt.Sprint("counter", c)), buf)
		if errors.Is(err, ErrNotFound) {
			continue // evicted: its increments are lost with it, as in memcached
		}
		present++
		if got, ok := parseDecimal(buf[:m.Len]); !ok || got != want {
			t.Errorf("counter%d = %q, want %d", c, buf[:m.Len], want)
		}
	}
	st := s.Stats()
	if st.Evictions == 0 || st.HashPower == 10 {
		t.Errorf("the mix did not exercise eviction (%d) and growth (power %d)", st.Evictions, st.HashPower)
	}
	t.Logf("%d of %d counters survived eviction; %d evictions, hash power %d", present, counters, st.Evictions, st.HashPower)
}
