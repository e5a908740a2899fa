package kv

import (
	"encoding/binary"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"testing"
	"time"
)

const fuzzRegionSize = 256 << 10

var (
	fuzzBaseOnce sync.Once
	fuzzBase     []byte
)

// fuzzBaseRegion is a small formatted region holding a few hundred items of several
// classes, the starting point the fuzzer damages.
func fuzzBaseRegion() []byte {
	fuzzBaseOnce.Do(func() {
		fuzzBase = alignedRegion(fuzzRegionSize)
		s, err := Format(fuzzBase, Config{MaxItemSize: 4096, PageSize: 4096, Stripes: 16, MaxSlots: 2, ExpectedItems: 400}, Options{Clock: NewManualClock(testNow)})
		if err != nil {
			panic(err)
		}
		for i := 0; i < 400; i++ {
			s.Set(0, []byte(fmt.Sprint("k", i)), make([]byte, (i*37)%900), uint32(i), int64(i%3))
		}
		s.Incr(0, []byte("k1"), 5)
	})
	return fuzzBase
}

// FuzzRegion opens damaged regions and runs commands on them. patch either overwrites
// bytes of a valid region (4-byte records: 3-byte offset, 1-byte value) or, when it starts
// with 0xFF, is itself the whole region. script is a sequence of commands with arbitrary
// keys, values, flags and exptimes. Errors are expected; a panic, an out-of-bounds access
// or a hang is a bug.
func FuzzRegion(f *testing.F) {
	f.Add([]byte{}, []byte("s\x03abc\x05hello"))
	f.Add([]byte{0, 0, 0, 'x'}, []byte("g\x02k1"))
	f.Add([]byte{0xFF, 'p', 'l', 'i', 'b'}, []byte{})
	f.Add([]byte{0x10, 0x20, 0x00, 0xFF, 0x40, 0x30, 0x01, 0x07}, []byte("i\x02k1d\x02k2a\x02k3\x02zzs\x04k100\x03abcc"))
	f.Add([]byte{hPrimary & 0xFF, hPrimary >> 8, 0, 9}, []byte("s\x01a\x01bf"))
	f.Fuzz(func(t *testing.T, patch, script []byte) {
		// A hang is a bug too: crash with every goroutine's stack, so the input is kept.
		watchdog := time.AfterFunc(10*time.Second, func() {
			debug.SetTraceback("all")
			panic("FuzzRegion: input ran for 10 s")
		})
		defer watchdog.Stop()
		region := alignedRegion(fuzzRegionSize)
		if len(patch) > 0 && patch[0] == 0xFF {
			for i := range region {
				region[i] = patch[i%len(patch)]
			}
		} else {
			copy(region, fuzzBaseRegion())
			for ; len(patch) >= 4; patch = patch[4:] {
				off := int(patch[0]) | int(patch[1])<<8 | int(patch[2])<<16
				region[off%fuzzRegionSize] = patch[3]
			}
		}
		s, err := Open(region, Options{Clock: NewManualClock(testNow + 1), HolderAlive: func(Slot) bool { return false }})
		if err != nil {
			return
		}
		runScript(s, script)
		if err := s.Check(); err != nil && !errors.Is(err, ErrCorrupt) {
			t.Fatalf("Check returned a non-corruption error: %v", err)
		}
	})
}

// runScript decodes commands: an opcode byte, a length-prefixed key, and per opcode a
// length-prefixed value, flags or numbers.
func runScript(s *Store, script []byte) {
	buf := make([]byte, 4096)
	take := func(n int) []byte {
		n = min(n, len(script))
		b := script[:n]
		script = script[n:]
		return b
	}
	takeLen := func() int {
		if b := take(1); len(b) == 1 {
			return int(b[0])
		}
		return 0
	}
	for i := 0; i < 64 && len(script) > 0; i++ {
		op := take(1)[0]
		key := take(takeLen())
		switch op % 8 {
		case 0:
			s.Get(Slot(op>>7), key, buf)
		case 1:
			value := take(takeLen() * 16)
			var fl [8]byte
			copy(fl[:], take(8))
			s.Store(0, Mode(op>>3%7), key, value, binary.LittleEndian.Uint32(fl[:]), int64(int32(binary.LittleEndian.Uint32(fl[4:]))), uint64(fl[0]))
		case 2:
			s.Delete(0, key)
		case 3:
			s.Incr(0, key, uint64(takeLen()))
		case 4:
			s.Decr(0, key, uint64(takeLen()))
		case 5:
			s.Touch(0, key, int64(int8(takeLen())))
		case 6:
			s.GetAndTouch(0, key, int64(takeLen())-128, buf[:takeLen()])
		default:
			s.FlushAll(0, int64(takeLen())-128)
			s.Stats()
		}
	}
}
