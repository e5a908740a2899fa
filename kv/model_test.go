package kv

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"hash/crc32"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"
)

var modelSeed = flag.Uint64("kv.seed", 0, "seed for the model-based test (0: time-based)")

// refItem and refStore are the reference model: memcached's semantics over a Go map, with
// none of the region's machinery. The store must give the same answer to every command.
type refItem struct {
	value []byte
	flags uint32
	exp   uint32
	cas   uint64
	time  uint32
}

type refStore struct {
	items         map[string]*refItem
	cas           uint64
	flushCAS      uint64
	flushDeadline uint64
	flushPassed   uint64
	maxItem       int
}

func (r *refStore) live(key string, now int64) *refItem {
	it := r.items[key]
	if it == nil {
		return nil
	}
	dead := (it.exp != 0 && int64(it.exp) <= now) ||
		(r.flushCAS != 0 && it.cas <= r.flushCAS) ||
		(r.flushDeadline != 0 && uint64(now) >= r.flushDeadline && uint64(it.time) < r.flushDeadline) ||
		(r.flushPassed != 0 && uint64(it.time) < r.flushPassed)
	if dead {
		delete(r.items, key)
		return nil
	}
	return it
}

func (r *refStore) get(key string, now int64, touch bool, exptime int64) (*refItem, error) {
	it := r.live(key, now)
	if it == nil {
		return nil, ErrNotFound
	}
	if touch {
		it.exp = realtime(exptime, now)
	}
	return it, nil
}

func (r *refStore) store(mode Mode, key string, value []byte, flags uint32, exptime int64, cas uint64, now int64) (uint64, error) {
	if mode == ModeCAS && cas == 0 {
		return 0, ErrInvalidCAS
	}
	old := r.live(key, now)
	switch {
	case mode == ModeAdd && old != nil:
		return 0, ErrNotStored
	case (mode == ModeReplace || mode == ModeAppend || mode == ModePrepend) && old == nil:
		return 0, ErrNotStored
	case mode == ModeCAS && old == nil:
		return 0, ErrNotFound
	case mode == ModeCAS && old.cas != cas:
		return 0, ErrExists
	}
	exp := realtime(exptime, now)
	v := append([]byte(nil), value...)
	switch mode {
	case ModeAppend:
		v = append(append([]byte(nil), old.value...), value...)
		flags, exp = old.flags, old.exp
	case ModePrepend:
		v = append(append([]byte(nil), value...), old.value...)
		flags, exp = old.flags, old.exp
	}
	if itemHeaderSize+len(key)+len(v) > r.maxItem {
		if mode == ModeSet {
			delete(r.items, key)
		}
		return 0, ErrValueTooLarge
	}
	r.cas++
	r.items[key] = &refItem{value: v, flags: flags, exp: exp, cas: r.cas, time: uint32(now)}
	return r.cas, nil
}

func (r *refStore) arith(key string, delta uint64, incr bool, now int64) (uint64, error) {
	it := r.live(key, now)
	if it == nil {
		return 0, ErrNotFound
	}
	v, ok := parseRef(it.value)
	if !ok {
		return 0, ErrNonNumeric
	}
	switch {
	case incr:
		v += delta
	case delta > v:
		v = 0
	default:
		v -= delta
	}
	s := strconv.FormatUint(v, 10)
	r.cas++
	if len(s) <= len(it.value) {
		it.value = append([]byte(s), bytes.Repeat([]byte(" "), len(it.value)-len(s))...)
		it.cas = r.cas
		return v, nil
	}
	r.items[key] = &refItem{value: []byte(s), flags: it.flags, exp: it.exp, cas: r.cas, time: uint32(now)}
	return v, nil
}

// parseRef is an independent statement of memcached's number rule, via strconv.
func parseRef(b []byte) (uint64, bool) {
	// memcached's safe_strtoull: strtoull's number (after whitespace, with a sign), which
	// must be followed by the end, whitespace or a NUL; a '-' that makes it negative fails.
	t := bytes.TrimLeft(b, " \t\n\r\v\f")
	end := bytes.IndexAny(t, " \t\n\r\v\f\x00")
	if end < 0 {
		end = len(t)
	}
	tok := string(t[:end])
	neg := strings.HasPrefix(tok, "-")
	tok = strings.TrimPrefix(strings.TrimPrefix(tok, "+"), "-")
	if tok == "" || tok[0] < '0' || tok[0] > '9' {
		return 0, false
	}
	v, err := strconv.ParseUint(tok, 10, 64)
	if err != nil {
		return 0, false
	}
	if neg {
		v = -v
		if int64(v) < 0 {
			return 0, false
		}
	}
	return v, true
}

func (r *refStore) flush(delay, now int64) {
	if r.flushDeadline != 0 && uint64(now) >= r.flushDeadline {
		r.flushPassed = max(r.flushPassed, r.flushDeadline) // a passed deadline's effect is permanent
	}
	if delay <= 0 || int64(realtime(delay, now)) <= now+1 { // memcached: acts now, takes a CAS id
		r.flushDeadline = 0
		r.cas++
		r.flushCAS = r.cas
		if delay > 0 {
			r.flushPassed = max(r.flushPassed, uint64(realtime(delay, now)))
		}
		return
	}
	r.flushDeadline = uint64(realtime(delay, now))
}

// TestModel runs seeded random command sequences against the store and the reference model
// and requires identical answers, CAS ids included. A tiny region forces eviction; the
// store reports each evicted key, which the model then forgets.
func TestModel(t *testing.T) {
	seed := *modelSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	ops := 120_000
	if testing.Short() {
		ops = 30_000
	}
	for i, cfg := range []Config{
		{MaxItemSize: 16 << 10, PageSize: 64 << 10, Stripes: 16, MaxSlots: 4},                     // tiny: heavy eviction
		{MaxItemSize: 1 << 20, Stripes: 64, ExpectedItems: 10, MaxSlots: 4},                       // default pages, growth
		{MaxItemSize: 4 << 10, PageSize: 4 << 10, GrowthFactor: 2, Stripes: 1 << 10, MaxSlots: 4}, // coarse classes
		{MaxItemSize: 16 << 10, PageSize: 64 << 10, Stripes: 16, MaxSlots: 4, ClassShards: 3},     // sharded classes, eviction
	} {
		t.Run(fmt.Sprint("config", i), func(t *testing.T) {
			s := seed + uint64(i)
			t.Logf("seed %d (rerun the whole test with -kv.seed=%d)", s, seed)
			runModel(t, cfg, []int{2 << 20, 48 << 20, 1 << 20, 3 << 20}[i], ops, s)
		})
	}
}

func runModel(t *testing.T, cfg Config, size, ops int, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	clock := NewManualClock(testNow)
	ref := &refStore{items: map[string]*refItem{}}
	var evicted []string
	s, err := Format(alignedRegion(size), cfg, Options{Clock: clock, OnEvict: func(k []byte) { evicted = append(evicted, string(k)) }})
	if err != nil {
		t.Fatal(err)
	}
	ref.maxItem = s.MaxItemSize()
	keys := make([]string, 300)
	for i := range keys {
		keys[i] = fmt.Sprintf("key:%d:%s", i, bytes.Repeat([]byte{'x'}, rng.IntN(40)))
	}
	keys[0] = string(bytes.Repeat([]byte{'k'}, MaxKeyLen))
	buf := make([]byte, s.MaxItemSize())
	counts := map[string]int{}
	for op := 0; op < ops; op++ {
		key := keys[rng.IntN(len(keys))]
		now := clock.Now()
		evicted = evicted[:0]
		name, got, want := modelStep(rng, s, ref, key, buf, now)
		for _, k := range evicted {
			if _, ok := ref.items[k]; !ok {
				t.Fatalf("op %d: store evicted %q, which the model does not hold", op, k)
			}
			delete(ref.items, k)
		}
		w := want()
		counts[name]++
		if got != w {
			t.Fatalf("op %d %s %q (seed %d):\n store %s\n model %s", op, name, key, seed, got, w)
		}
		if rng.IntN(50) == 0 {
			clock.Advance(int64(rng.IntN(4)))
		}
		if op%20000 == 0 {
			mustCheck(t, s)
		}
	}
	mustCheck(t, s)
	st := s.Stats()
	t.Logf("ops %v; evictions %d reclaimed %d items %d", counts, st.Evictions, st.Reclaimed, st.CurrItems)
}

// modelStep applies one random command to the store at once, and returns a function
// applying it to the model, so that evictions the store reports are applied in between.
func modelStep(rng *rand.Rand, s *Store, ref *refStore, key string, buf []byte, now int64) (string, string, func() string) {
	k := []byte(key)
	exptime := randExptime(rng, now)
	flags := rng.Uint32()
	switch n := rng.IntN(100); {
	case n < 30:
		touch := n < 4
		m, err := s.get(0, k, buf, touch, exptime)
		got := fmtGet(buf, m, err)
		return "get", got, func() string {
			it, err := ref.get(key, now, touch, exptime)
			if err != nil {
				return fmtGet(nil, Meta{}, err)
			}
			return fmtGet(it.value, Meta{Flags: it.flags, CAS: it.cas, Len: len(it.value)}, nil)
		}
	case n < 62:
		mode := Mode(rng.IntN(int(ModeCAS) + 1))
		var cas uint64
		if mode == ModeCAS {
			cas = uint64(rng.IntN(3))
			if it := ref.items[key]; it != nil && rng.IntN(3) > 0 {
				cas = it.cas
			}
		}
		value := randValue(rng, s.MaxItemSize())
		c, err := s.Store(0, mode, k, value, flags, exptime, cas)
		got := fmt.Sprintf("%d %v", c, errKind(err))
		return mode.String(), got, func() string {
			c, err := ref.store(mode, key, value, flags, exptime, cas, now)
			return fmt.Sprintf("%d %v", c, errKind(err))
		}
	case n < 72:
		incr, delta := rng.IntN(2) == 0, randDelta(rng)
		v, err := s.arith(0, k, delta, incr)
		return "incr/decr", fmt.Sprintf("%d %v", v, errKind(err)), func() string {
			v, err := ref.arith(key, delta, incr, now)
			return fmt.Sprintf("%d %v", v, errKind(err))
		}
	case n < 82:
		err := s.Delete(0, k)
		return "delete", fmt.Sprint(errKind(err)), func() string {
			if ref.live(key, now) == nil {
				return fmt.Sprint(errKind(ErrNotFound))
			}
			delete(ref.items, key)
			return fmt.Sprint(errKind(nil))
		}
	case n < 90:
		err := s.Touch(0, k, exptime)
		return "touch", fmt.Sprint(errKind(err)), func() string {
			_, err := ref.get(key, now, true, exptime)
			return fmt.Sprint(errKind(err))
		}
	case n < 99 || rng.IntN(5) > 0:
		// A number to count with, sometimes at the edge of 2^64.
		v := []byte(strconv.FormatUint([]uint64{0, 9, 10, 99, 1<<64 - 1, rng.Uint64()}[rng.IntN(6)], 10))
		c, err := s.Set(0, k, v, flags, 0)
		return "set-number", fmt.Sprintf("%d %v", c, errKind(err)), func() string {
			c, err := ref.store(ModeSet, key, v, flags, 0, 0, now)
			return fmt.Sprintf("%d %v", c, errKind(err))
		}
	default:
		delay := []int64{0, 0, 3, -1}[rng.IntN(4)]
		s.FlushAll(0, delay)
		return "flush_all", "ok", func() string { ref.flush(delay, now); return "ok" }
	}
}

func fmtGet(buf []byte, m Meta, err error) string {
	if err != nil {
		return errKind(err)
	}
	v := buf[:m.Len]
	if len(v) > 64 {
		return fmt.Sprintf("%d bytes crc %#x flags=%d cas=%d", len(v), crc32.ChecksumIEEE(v), m.Flags, m.CAS)
	}
	return fmt.Sprintf("%q flags=%d cas=%d", v, m.Flags, m.CAS)
}

func randExptime(rng *rand.Rand, now int64) int64 {
	switch rng.IntN(10) {
	case 0:
		return int64(1 + rng.IntN(8))
	case 1:
		return -1
	case 2:
		return now + int64(rng.IntN(10)) // absolute, near now
	default:
		return 0
	}
}

func randDelta(rng *rand.Rand) uint64 {
	return []uint64{1, 2, 10, 1<<64 - 1, rng.Uint64()}[rng.IntN(5)]
}

func randValue(rng *rand.Rand, maxItem int) []byte {
	var n int
	switch rng.IntN(20) {
	case 0:
		n = maxItem // too large with any key
	case 1, 2:
		n = rng.IntN(maxItem)
	default:
		n = rng.IntN(300)
	}
	var pattern [16]byte
	for i := range pattern {
		pattern[i] = byte('a' + rng.IntN(26))
	}
	v := bytes.Repeat(pattern[:], n/16+1)
	return v[:n]
}

// errKind names the sentinel an error wraps, so answers compare by kind, not by detail.
func errKind(err error) string {
	if err == nil {
		return "ok"
	}
	for _, e := range []error{ErrNotFound, ErrNotStored, ErrExists, ErrMalformedKey, ErrValueTooLarge,
		ErrNonNumeric, ErrInvalidCAS, ErrBufferTooSmall, ErrOutOfMemory, ErrBadSlot, ErrCorrupt} {
		if errors.Is(err, e) {
			return e.Error()
		}
	}
	return "unexpected: " + err.Error()
}
