package plib

import (
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/plibcached/plibcached/kv"
)

// BenchmarkRightsAB measures what issue 12 item 3 costs on the fast path, A/B in one
// process: each op runs, in alternating blocks of abBlock calls, the current code (B) and
// a copy of the code before the fix (A: no clock check in enter, no deferred exit or
// salvage where the old code had none), on the same store and keys. Interleaving at a
// fraction of a millisecond lets a busy machine slow both sides alike. It reports the
// median over blocks of A's and B's ns per call, and the median of B/A over neighbouring
// blocks. (ns/op includes the timing itself.)
func BenchmarkRightsAB(b *testing.B) {
	for _, op := range []string{"SessionGetInto", "SessionSet", "ClientGetInto", "ClientGet"} {
		b.Run(op, func(b *testing.B) {
			opts := Options{Size: 64 << 20, MaxItemSize: 4096, MaxClients: 4, ExpectedItems: benchItems, Protection: ModeNoPKU}
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
			keys := make([]string, benchItems)
			for i := range keys {
				key = benchKey(key, i)
				keys[i] = string(key)
				if err := s.Set(key, value, 0, 0); err != nil {
					b.Fatal(err)
				}
			}
			run := func(old bool, x uint64) {
				x ^= x << 13
				x ^= x >> 7
				x ^= x << 17
				i := int(x % benchItems)
				var err error
				switch op {
				case "SessionGetInto":
					if old {
						_, err = s.oldGetInto(benchKey(key, i), dst)
					} else {
						_, err = s.GetInto(benchKey(key, i), dst)
					}
				case "SessionSet":
					if old {
						_, err = s.oldStore(kv.ModeSet, benchKey(key, i), value)
					} else {
						err = s.Set(benchKey(key, i), value, 0, 0)
					}
				case "ClientGetInto":
					if old {
						_, err = c.oldClientGetInto(benchKey(key, i), dst)
					} else {
						_, err = c.GetInto(benchKey(key, i), dst)
					}
				case "ClientGet":
					if old {
						_, err = c.oldClientGet(keys[i])
					} else {
						_, err = c.Get(keys[i])
					}
				}
				if err != nil {
					b.Fatal(err)
				}
			}
			// Blocks of abBlock calls, A and B alternating (ABBA...), each timed as a
			// whole; the medians of the blocks' ns per call, and of the ratios of
			// neighbouring blocks, ignore the blocks a preemption hit.
			const abBlock = 64
			var blockA, blockB []float64
			var t0 time.Time
			x := uint64(88172645463325252)
			b.ReportAllocs()
			for n := 0; b.Loop(); n++ {
				block := n / abBlock
				old := block%4 == 0 || block%4 == 3
				if n%abBlock == 0 {
					t0 = time.Now()
				}
				x = x*6364136223846793005 + 1442695040888963407
				run(old, x)
				if n%abBlock == abBlock-1 {
					d := float64(time.Since(t0)) / abBlock
					if old {
						blockA = append(blockA, d)
					} else {
						blockB = append(blockB, d)
					}
				}
			}
			if k := min(len(blockA), len(blockB)); k > 0 {
				ratios := make([]float64, k)
				for i := range ratios {
					ratios[i] = blockB[i] / blockA[i]
				}
				b.ReportMetric(median(blockA), "A-ns/call")
				b.ReportMetric(median(blockB), "B-ns/call")
				b.ReportMetric(median(ratios), "B/A")
			}
		})
	}
}

func median(v []float64) float64 {
	v = slices.Clone(v)
	slices.Sort(v)
	return v[len(v)/2]
}

// The code before the fix, kept for BenchmarkRightsAB only. oldEnter is enter without
// the clock check (what raise is now).

func (c *Client) oldEnter() { c.raise() }

func (s *Session) oldGetInto(key, dst []byte) (Meta, error) {
	if err := s.checkKey(key); err != nil {
		return Meta{}, err
	}
	if s.c.overlaps(dst) {
		return Meta{}, ErrOverlap
	}
	s.c.oldEnter()
	defer s.c.exit()
	m, err := s.fetch(key, false, 0, min(len(dst), len(s.val)))
	if err == nil {
		copy(dst, s.val[:m.Len])
	}
	return m, mapErr(err)
}

func (s *Session) oldStore(mode StoreMode, key, value []byte) (uint64, error) {
	if err := s.checkKey(key); err != nil {
		return 0, err
	}
	if s.c.overlaps(value) {
		return 0, ErrOverlap
	}
	c := s.c
	c.oldEnter()
	defer c.exit()
	k := s.key[:copy(s.key, key)]
	if len(value) > len(s.val) {
		return 0, ErrValueTooLarge
	}
	v := s.val[:copy(s.val, value)]
	newCAS, err := c.store.Store(s.slot, mode, k, v, 0, 0, 0)
	return newCAS, mapErr(err)
}

func (c *Client) oldClientGetInto(key, dst []byte) (Meta, error) {
	if c.closed.Load() {
		return Meta{}, ErrClosed
	}
	s, err := c.borrow()
	if err != nil {
		return Meta{}, err
	}
	m, err := s.oldGetInto(key, dst)
	c.giveBack(s)
	return m, err
}

func (c *Client) oldWith(f func(s *Session) error) error {
	if c.closed.Load() {
		return ErrClosed
	}
	s, err := c.borrow()
	if err != nil {
		return err
	}
	err = f(s)
	c.giveBack(s)
	return err
}

func (c *Client) oldClientGet(key string) (item *Item, err error) {
	err = c.oldWith(func(s *Session) error {
		item, err = s.oldGetItem(key)
		return err
	})
	return item, err
}

func (s *Session) oldGetItem(key string) (*Item, error) {
	k := []byte(key)
	if err := s.checkKey(k); err != nil {
		return nil, err
	}
	c := s.c
	c.oldEnter()
	m, err := s.fetch(k, false, 0, len(s.val))
	c.exit()
	if err != nil {
		return nil, mapErr(err)
	}
	it := &Item{Key: key, Value: make([]byte, m.Len), Flags: m.Flags, CasID: m.CAS}
	c.oldEnter()
	copy(it.Value, s.val[:m.Len])
	c.exit()
	return it, nil
}
