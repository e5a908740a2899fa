package kv

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
)

// selfCheckingValue is key's value number seq: a header (length, seq, CRC of the rest)
// and a fill derived from both, so that a reader can tell a torn or foreign value.
func selfCheckingValue(key []byte, seq uint64, n int) []byte {
	v := make([]byte, max(n, 16))
	binary.LittleEndian.PutUint32(v[0:], uint32(len(v)))
	binary.LittleEndian.PutUint64(v[8:], seq)
	for i := 16; i < len(v); i++ {
		v[i] = key[i%len(key)] ^ byte(seq) ^ byte(i)
	}
	binary.LittleEndian.PutUint32(v[4:], crc32.ChecksumIEEE(append(append([]byte{}, key...), v[8:]...)))
	return v
}

func valueIntact(key, v []byte) bool {
	if len(v) < 16 || binary.LittleEndian.Uint32(v[0:]) != uint32(len(v)) {
		return false
	}
	return binary.LittleEndian.Uint32(v[4:]) == crc32.ChecksumIEEE(append(append([]byte{}, key...), v[8:]...))
}

// TestLockFreeReadsNeverTorn: writers keep replacing, deleting and evicting (a small region, values of many sizes, so chunks are freed and reused across
// stripes and classes and pages move) while readers read without locks. Every value a
// reader gets must be whole and belong to its key, and a reader's views of one key must
// never go back to an older value once a newer one was seen by it.
func TestLockFreeReadsNeverTorn(t *testing.T) {
	if raceEnabled {
		t.Skip("lock-free reads are off under the race detector (race_on.go)")
	}
	const keys, writers, readers = 64, 2, 2
	ops := 20000
	if testing.Short() {
		ops = 8000
	}
	s, _ := newTestStore(t, 1<<20, Config{MaxItemSize: 16 << 10, PageSize: 64 << 10, Stripes: 16, ExpectedItems: 1, MaxSlots: writers + readers})
	var torn, backwards, hits atomic.Int64
	var wg sync.WaitGroup
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(slot Slot) {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(slot), 7))
			seq := uint64(0)
			for i := 0; i < ops; i++ {
				// Each writer owns the keys k%writers == its slot, so a key's values are
				// written in the order of their sequence numbers.
				key := fmt.Appendf(nil, "key%d", r.IntN(keys/writers)*writers+int(slot))
				if r.IntN(10) == 0 {
					s.Delete(slot, key)
					continue
				}
				v := selfCheckingValue(key, seq+1, 16+r.IntN(6000))
				seq++
				if _, err := s.Set(slot, key, v, 0, 0); err != nil && !errors.Is(err, ErrOutOfMemory) {
					t.Error(err)
					return
				}
			}
		}(Slot(w))
	}
	for rd := 0; rd < readers; rd++ {
		wg.Add(1)
		go func(slot Slot) {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(slot), 9))
			buf := make([]byte, 16<<10)
			last := make([]uint64, keys)
			for i := 0; i < 2*ops; i++ {
				k := r.IntN(keys)
				key := fmt.Appendf(nil, "key%d", k)
				m, err := s.Get(slot, key, buf)
				if errors.Is(err, ErrNotFound) {
					continue
				}
				if err != nil {
					t.Error(err)
					return
				}
				hits.Add(1)
				v := buf[:m.Len]
				if !valueIntact(key, v) {
					torn.Add(1)
					continue
				}
				if sq := binary.LittleEndian.Uint64(v[8:]); sq < last[k] {
					backwards.Add(1)
				} else {
					last[k] = sq
				}
			}
		}(Slot(writers + rd))
	}
	wg.Wait()
	if torn.Load() != 0 || backwards.Load() != 0 {
		t.Errorf("of %d hits, %d torn or foreign values and %d reads that went back in time", hits.Load(), torn.Load(), backwards.Load())
	}
	if hits.Load() == 0 {
		t.Error("no read hit: the test proves nothing")
	}
	mustCheck(t, s)
	if !bytes.Equal(selfCheckingValue([]byte("k"), 1, 20), selfCheckingValue([]byte("k"), 1, 20)) {
		t.Fatal("value generator is not deterministic")
	}
}

// TestLockFreeReadRetriesAfterFree: a reader that has found an item without the lock is
// held before it copies the value; meanwhile the item is deleted and its chunk reused for
// another key of another stripe. The reader must notice (the stripe's version moved),
// retry, and answer not found, never the other key's bytes.
func TestLockFreeReadRetriesAfterFree(t *testing.T) {
	if raceEnabled {
		t.Skip("lock-free reads are off under the race detector (race_on.go)")
	}
	s, _ := newTestStore(t, 4<<20, crashSmall)
	key, val := []byte("victim"), bytes.Repeat([]byte("A"), 100)
	if _, err := s.Set(crashRepairer, key, val, 0, 0); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 200)
	if _, err := s.Get(crashRepairer, key, buf); err != nil { // the fetched bit: reads go lock-free
		t.Fatal(err)
	}
	it, _, _ := s.find(key, hashKey(key), s.now(), holder(crashRepairer))
	reached, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	s.readHook = func() { once.Do(func() { close(reached); <-release }) }
	type result struct {
		v   []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		b := make([]byte, 200)
		m, err := s.Get(crashVictim, key, b)
		done <- result{b[:m.Len], err}
	}()
	<-reached
	s.readHook = nil
	if err := s.Delete(crashRepairer, key); err != nil {
		t.Fatal(err)
	}
	reused := false
	for i := 0; i < 2000 && !reused; i++ {
		other := fmt.Appendf(nil, "other%d", i)
		if s.stripeOf(hashKey(other)) == s.stripeOf(hashKey(key)) {
			continue
		}
		if _, err := s.Set(crashRepairer, other, bytes.Repeat([]byte("B"), 100), 0, 0); err != nil {
			t.Fatal(err)
		}
		reused = s.m.u8(it+iState) == stateLinked && !s.keyIs(it, key, hashKey(key))
	}
	if !reused {
		t.Fatal("the deleted item's chunk was never reused: the test proves nothing")
	}
	close(release)
	r := <-done
	if !errors.Is(r.err, ErrNotFound) {
		t.Errorf("the held reader answered %q, %v; want not found", r.v, r.err)
	}
}

// readDuringInPlaceWrites runs two readers on slots 1 and 2, reading keys in turn without
// locks, while write(i) makes ops writes on slot 0; read(k, value) returns the value's
// sequence number, or an error for a value a reader must never see. Values of one key
// must never go back. It fails t with the first bad read, then runs Check.
func readDuringInPlaceWrites(t *testing.T, s *Store, keys [][]byte, ops int, write func(i int) error, read func(k []byte, v []byte) (uint64, error)) {
	t.Helper()
	var done atomic.Bool
	var bad atomic.Value
	var wg sync.WaitGroup
	for r := 1; r <= 2; r++ {
		wg.Add(1)
		go func(slot Slot) {
			defer wg.Done()
			buf, last := make([]byte, 512), make([]uint64, len(keys))
			for i := 0; !done.Load(); i++ {
				k := i % len(keys)
				m, err := s.Get(slot, keys[k], buf)
				if err != nil {
					bad.Store(fmt.Sprintf("get %s: %v", keys[k], err))
					return
				}
				seq, err := read(keys[k], buf[:m.Len])
				if err == nil && seq < last[k] {
					err = fmt.Errorf("went back from %d to %d", last[k], seq)
				}
				if err != nil {
					bad.Store(fmt.Sprintf("read %.40q of %s: %v", buf[:m.Len], keys[k], err))
					return
				}
				last[k] = seq
			}
		}(Slot(r))
	}
	for i := 0; i < ops; i++ {
		if err := write(i); err != nil {
			t.Error(err)
			break
		}
	}
	done.Store(true)
	wg.Wait()
	if b := bad.Load(); b != nil {
		t.Fatal(b)
	}
	mustCheck(t, s)
}

// inPlaceOps is how many writes the in-place read tests make.
func inPlaceOps() int {
	if testing.Short() {
		return 10000
	}
	return 30000
}

// TestLockFreeReadsOfInPlaceIncr: a writer increments counters in place (arith's
// rewriteNumber) across a carry that changes every digit's word, while readers read them
// without locks. A reader must see only whole numbers, never going back.
func TestLockFreeReadsOfInPlaceIncr(t *testing.T) {
	if raceEnabled {
		t.Skip("lock-free reads are off under the race detector (race_on.go)")
	}
	s, _ := newTestStore(t, 1<<20, Config{MaxItemSize: 16 << 10, PageSize: 64 << 10, Stripes: 16, ExpectedItems: 1, MaxSlots: 3})
	keys := [][]byte{[]byte("c"), []byte("counter-odd"), []byte("counter-x")}
	const start = 9_999_999_999_999_990_000 // 20 digits: carries rewrite all three words
	for _, k := range keys {
		if _, err := s.Set(0, k, fmt.Append(nil, uint64(start)), 0, 0); err != nil {
			t.Fatal(err)
		}
	}
	readDuringInPlaceWrites(t, s, keys, inPlaceOps(), func(i int) error {
		_, err := s.Incr(0, keys[i%len(keys)], 1+uint64(i%3)*1111)
		return err
	}, func(_, v []byte) (uint64, error) {
		if n, ok := parseDecimal(v); ok && n >= start {
			return n, nil
		}
		return 0, errors.New("not a whole number")
	})
}

// TestLockFreeReadsOfInPlaceReplace: a writer replaces values with others of the same
// length, which replaceInPlace rewrites where they are, while readers read without locks.
// Every value read must be whole and its key's, never going back to an older one.
func TestLockFreeReadsOfInPlaceReplace(t *testing.T) {
	if raceEnabled {
		t.Skip("lock-free reads are off under the race detector (race_on.go)")
	}
	s, _ := newTestStore(t, 1<<20, Config{MaxItemSize: 16 << 10, PageSize: 64 << 10, Stripes: 16, ExpectedItems: 1, MaxSlots: 3})
	keys := make([][]byte, 8)
	for i := range keys {
		keys[i] = fmt.Appendf(nil, "replace%d", i)
		if _, err := s.Set(0, keys[i], selfCheckingValue(keys[i], 0, 300), 0, 0); err != nil {
			t.Fatal(err)
		}
	}
	readDuringInPlaceWrites(t, s, keys, inPlaceOps(), func(i int) error {
		k := keys[i%len(keys)]
		_, err := s.Set(0, k, selfCheckingValue(k, uint64(i+1), 300), 0, 0)
		return err
	}, func(k, v []byte) (uint64, error) {
		if !valueIntact(k, v) {
			return 0, errors.New("torn value")
		}
		return binary.LittleEndian.Uint64(v[8:]), nil
	})
	if st := s.Stats(); st.Slabs[0].TotalChunks-st.Slabs[0].FreeChunks != uint64(len(keys)) {
		t.Errorf("%d chunks in use after same-length replacements of %d keys, want %d (replaced in place)",
			st.Slabs[0].TotalChunks-st.Slabs[0].FreeChunks, len(keys), len(keys))
	}
}
