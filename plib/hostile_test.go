//go:build !race

// The hostile-caller test races on purpose: its goroutines rewrite buffers that others are
// passing to the library. The race detector would report exactly that, so it is built
// without -race.

package plib

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
)

// TestHostileCaller: goroutines keep rewriting the key and value buffers (length-stable,
// content arbitrary, including spaces and control bytes) while others pass the same
// buffers to Set, Get, Append and Incr. The library copies inputs before validating them,
// so every call either succeeds on some snapshot or fails with a clean error; nothing
// crashes and Check passes afterwards.
func TestHostileCaller(t *testing.T) {
	c, _ := openTest(t, ModeNoPKU)
	key := []byte("000000000000000000000000")
	value := make([]byte, 300)
	var stop atomic.Bool
	var wg sync.WaitGroup
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func(w int) { // the hostile writers
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 7))
			for !stop.Load() {
				b := byte('!' + rng.IntN(94)) // mostly valid key bytes,
				if rng.IntN(100) == 0 {
					b = " \n\x00\x7f"[rng.IntN(4)] // now and then an invalid one
				}
				key[rng.IntN(len(key))] = b
				value[rng.IntN(len(value))] = byte(rng.IntN(256))
				copy(key, fmt.Sprint(rng.IntN(50)))
			}
		}(w)
	}
	var calls, failures atomic.Int64
	var callers sync.WaitGroup
	for w := 0; w < 4; w++ {
		callers.Add(1)
		go func() {
			defer callers.Done()
			s, err := c.Session()
			if err != nil {
				t.Error(err)
				return
			}
			defer s.Close()
			dst := make([]byte, 1024)
			for i := 0; i < 20000; i++ {
				var err error
				switch i % 4 {
				case 0:
					err = s.Set(key, value, 0, 0)
				case 1:
					_, err = s.GetInto(key, dst)
				case 2:
					_, err = s.Store(StoreMode(1+i%5), key, value[:i%len(value)], 0, 0, uint64(i))
				default:
					_, err = s.Incr(key, 1)
				}
				calls.Add(1)
				if err != nil {
					failures.Add(1)
					if !expectedHostileError(err) {
						t.Errorf("unexpected error: %v", err)
						return
					}
				}
			}
		}()
	}
	callers.Wait()
	stop.Store(true)
	wg.Wait()
	if err := c.Check(); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d calls, %d clean failures", calls.Load(), failures.Load())
}

func expectedHostileError(err error) bool {
	for _, e := range []error{ErrMalformedKey, ErrCacheMiss, ErrNotStored, ErrCASConflict, ErrNonNumeric, ErrBufferTooSmall} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}
