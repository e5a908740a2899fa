package kv

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// guardedRegion maps n bytes (a multiple of the page size) between two inaccessible pages,
// so that any access just outside the region faults. The race detector does not watch
// such memory, so a mutator may write it while the store reads it.
func guardedRegion(t testing.TB, n int) []byte {
	t.Helper()
	all, err := syscall.Mmap(-1, 0, n+2*osPage, syscall.PROT_NONE, syscall.MAP_PRIVATE|syscall.MAP_ANON)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Munmap(all) })
	region := all[osPage : osPage+n : osPage+n]
	if err := syscall.Mprotect(region, syscall.PROT_READ|syscall.PROT_WRITE); err != nil {
		t.Fatal(err)
	}
	return region
}

// canary is Go memory the store must never write, checked after every fuzz input.
var canary = func() *[4096]byte {
	var c [4096]byte
	for i := range c {
		c[i] = byte(i * 7)
	}
	return &c
}()

func canaryIntact() bool {
	for i, b := range canary {
		if b != byte(i*7) {
			return false
		}
	}
	return true
}

// liveErrorOK reports whether err is one a call on a damaged, busy store may return: any
// of the store's own results, ErrCorrupt, or ErrBusy.
func liveErrorOK(err error) bool {
	for _, ok := range []error{nil, ErrNotFound, ErrNotStored, ErrExists, ErrCorrupt, ErrBusy, ErrOutOfMemory,
		ErrNonNumeric, ErrValueTooLarge, ErrBufferTooSmall} {
		if errors.Is(err, ok) || err == ok {
			return true
		}
	}
	return false
}

const (
	liveRegionSize  = 1 << 20
	liveLockTimeout = 20 * time.Millisecond
)

var liveConfig = Config{MaxItemSize: 8192, PageSize: 16384, Stripes: 16, MaxSlots: 3, ExpectedItems: 64}

// mutationTarget turns a fuzzer-chosen area and index into a region offset: a mutable
// header word, a hash bucket, a slab-class field, a journal word, a lock word, an item
// header field, or any aligned word.
func (s *Store) mutationTarget(area byte, idx uint64) uint64 {
	m := s.m
	switch area % 7 {
	case 0:
		words := []uint64{hCAS, hPagesLock, hBumpNext, hFreePages, hFreePageCount, hExpandLock, hHashPower,
			hPrimary, hOld, hOldPower, hExpanding, hCursor, hOldFirstPage, hOldPageCount, hGrowFailed,
			hPrimaryFirstPage, hPrimaryPageCount, hFlushCAS, hFlushDeadline, hFlushPassed}
		return words[idx%uint64(len(words))]
	case 1:
		return s.g.initTableOff + (idx%(1<<s.g.initPower))*8
	case 2:
		cls := 1 + idx%uint64(s.numClasses)
		return s.classEntry(uint8(cls)) + (idx/256%(classEntrySize/8))*8
	case 3:
		slot := idx % (s.g.maxSlots + 1)
		return s.g.journalOff + slot*journalSize + (idx/16%(jEntries/8+8))*8
	case 4:
		return s.lockWord(int(idx % uint64(s.numLockWords())))
	case 5:
		page := idx % max(1, m.u64(hBumpNext)%(s.g.numPages+1))
		return s.pageStart(page) + (idx/64%(s.g.pageSize/8))*8
	}
	return (idx % (s.g.regionSize / 8)) * 8
}

// mutationValue shapes a fuzzer-chosen word into a value worth writing: raw, small, near
// the region's end, an offset inside the pages, or a live client's lock-word value.
func (s *Store) mutationValue(kind byte, v uint64) uint64 {
	switch kind % 6 {
	case 0:
		return v
	case 1:
		return v % 64
	case 2:
		return s.g.regionSize - v%16
	case 3:
		return s.g.firstPage + v%(s.g.regionSize-s.g.firstPage)
	case 4:
		return uint64(holder(Slot(v % 3)))
	}
	return ^v
}

// FuzzLiveRegion damages a store while clients use it: a mutator goroutine rewrites
// words the fuzzer picks (header, hash table, class entries, journals, lock words, item
// headers, anywhere) between and during the operations of two client goroutines. Every
// call must return a result or a typed error (ErrCorrupt, ErrBusy among them) within the
// lock bound; none may panic, fault (the region lies between guard pages), hang, or write
// outside the region (a canary in Go memory is checked); Check must return.
func FuzzLiveRegion(f *testing.F) {
	le := binary.LittleEndian
	mut := func(area, kind byte, idx uint16, v uint64) []byte {
		b := []byte{area, kind, byte(idx), byte(idx >> 8), 0, 0, 0, 0, 0, 0, 0, 0}
		le.PutUint64(b[4:], v)
		return b
	}
	cat := func(bs ...[]byte) []byte {
		var out []byte
		for _, b := range bs {
			out = append(out, b...)
		}
		return out
	}
	f.Add(uint64(1), []byte{})
	f.Add(uint64(2), mut(0, 0, 7, 1<<40))                    // primary table offset far outside
	f.Add(uint64(3), mut(0, 1, 6, 40))                       // hash power 40
	f.Add(uint64(4), cat(mut(0, 5, 10, 0), mut(0, 3, 8, 5))) // expanding with a wild old table
	f.Add(uint64(5), mut(1, 2, 3, 3))                        // a bucket pointing at the region's end
	f.Add(uint64(6), mut(2, 3, 300, 77))                     // a class list head into the pages
	f.Add(uint64(7), mut(3, 1, 16, 300))                     // a journal count beyond its capacity
	f.Add(uint64(8), mut(3, 3, 32, 9))                       // a journal's carve record
	f.Add(uint64(9), mut(4, 4, 9, 1))                        // a lock word naming a live client
	f.Add(uint64(10), mut(4, 0, 0, 0xFFFFFFFF))              // a garbage page-lock word
	f.Add(uint64(11), cat(mut(5, 3, 100, 1), mut(5, 0, 200, 0xFF00), mut(5, 5, 300, 3)))
	f.Add(uint64(12), cat(mut(6, 0, 1000, 1<<62), mut(6, 2, 4000, 1), mut(6, 3, 999, 12345)))
	f.Fuzz(func(t *testing.T, seed uint64, muts []byte) {
		watchdog := time.AfterFunc(20*time.Second, func() {
			debug.SetTraceback("all")
			panic("FuzzLiveRegion: input ran for 20 s")
		})
		defer watchdog.Stop()
		s, err := Format(guardedRegion(t, liveRegionSize), liveConfig,
			Options{Clock: NewManualClock(testNow), LockTimeout: liveLockTimeout})
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 300; i++ {
			s.Set(2, fmt.Appendf(nil, "k%d", i), make([]byte, (i*53)%3000), uint32(i), 0)
		}
		var stop atomic.Bool
		var wg sync.WaitGroup
		wg.Add(1)
		go func() { // the mutator: one word per record, then keep repeating them
			defer wg.Done()
			for round := 0; !stop.Load() && round < 50; round++ {
				for i := 0; i+12 <= len(muts); i += 12 {
					off := s.mutationTarget(muts[i], uint64(le.Uint16(muts[i+2:])))
					v := s.mutationValue(muts[i+1], le.Uint64(muts[i+4:]))
					if muts[i+1]&0x80 != 0 || off%8 != 0 {
						s.m.a32(off &^ 3).Store(uint32(v))
					} else {
						s.m.a64(off).Store(v)
					}
				}
				time.Sleep(50 * time.Microsecond)
			}
		}()
		for c := 0; c < 2; c++ {
			wg.Add(1)
			go func(slot Slot) {
				defer wg.Done()
				liveClient(t, s, slot, seed+uint64(slot))
			}(Slot(c))
		}
		wg.Wait()
		stop.Store(true)
		if err := s.Check(); err != nil && !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrBusy) {
			t.Errorf("Check: %v", err)
		}
		if !canaryIntact() {
			t.Fatal("the store wrote outside its region: the canary changed")
		}
	})
}

// liveClient runs a random mix of every command as slot and checks each error.
func liveClient(t *testing.T, s *Store, slot Slot, seed uint64) {
	r := rand.New(rand.NewPCG(seed, 99))
	buf := make([]byte, 8192)
	for i := 0; i < 300; i++ {
		key := fmt.Appendf(nil, "k%d", r.IntN(400))
		var err error
		switch r.IntN(9) {
		case 0, 1:
			_, err = s.Get(slot, key, buf)
		case 2, 3:
			_, err = s.Set(slot, key, make([]byte, r.IntN(6000)), 1, 0)
		case 4:
			err = s.Delete(slot, key)
		case 5:
			_, err = s.Incr(slot, key, 3)
		case 6:
			err = s.Touch(slot, key, 100)
		case 7:
			_, err = s.Store(slot, Mode(r.IntN(5)), key, []byte("xyz"), 0, 0, 0)
		case 8:
			_, err = s.GetAndTouch(slot, key, 5, buf)
		}
		if !liveErrorOK(err) {
			t.Errorf("slot %d op %d: unexpected error %v", slot, i, err)
		}
	}
}
