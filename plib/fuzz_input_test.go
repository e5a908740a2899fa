package plib

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unsafe"
)

// fuzzInput reads a fuzz input as a stream of bytes. Past its end every read yields zeros,
// so any input decodes to some call sequence and a mutation changes only what it touches.
type fuzzInput struct{ b []byte }

func (in *fuzzInput) more() bool { return len(in.b) > 0 }

func (in *fuzzInput) take(n int) []byte {
	n = min(n, len(in.b))
	b := in.b[:n]
	in.b = in.b[n:]
	return b
}

func (in *fuzzInput) byte() byte {
	if b := in.take(1); len(b) == 1 {
		return b[0]
	}
	return 0
}

func (in *fuzzInput) u16() uint16 {
	var b [2]byte
	copy(b[:], in.take(2))
	return binary.LittleEndian.Uint16(b[:])
}

func (in *fuzzInput) u32() uint32 {
	var b [4]byte
	copy(b[:], in.take(4))
	return binary.LittleEndian.Uint32(b[:])
}

func (in *fuzzInput) u64() uint64 {
	var b [8]byte
	copy(b[:], in.take(8))
	return binary.LittleEndian.Uint64(b[:])
}

// Keys the decoder picks by index, so that calls meet each other's items.
var (
	fuzzValidKeys = []string{
		"a", "b", "n", "key:with:colons", strings.Repeat("k", 250), // the longest key
		"héllo-wörld",   // UTF-8
		"\xff\xfe\x80~", // not UTF-8, but every byte is allowed
		"{\"json\":1}",
	}
	fuzzInvalidKeys = []string{
		"", strings.Repeat("k", 251), "a b", "nul\x00", "del\x7f", "tab\t", "nl\n", " ", "\x01",
	}
	// Numbers, and values that look like them, for incr and decr.
	fuzzNumbers = []string{
		"0", "1", "9", "10", "99", "100", "18446744073709551615", "18446744073709551614",
		"18446744073709551616", " 42 ", "\t7\r\n", "+1", "-1", "1 2", "12a", "0x10",
		"00000000000000000000000000000000001", "١٢", "  ",
	}
)

// buf is a caller's buffer as a call receives it. overlap marks one that shares bytes with
// the segment (the call must answer ErrOverlap); inside is its part within the mapping, which
// the test compares before and after the call.
type buf struct {
	b       []byte
	overlap bool
	inside  []byte
}

// String describes a buffer for failure messages without reading one that lies (partly)
// outside the mapping.
func (b buf) String() string {
	if b.overlap {
		return fmt.Sprintf("<%d bytes in the segment>", len(b.b))
	}
	if len(b.b) > 40 {
		return fmt.Sprintf("<%d bytes %q...>", len(b.b), b.b[:40])
	}
	return fmt.Sprintf("%q", b.b)
}

// key decodes a key: one byte picks it from fuzzValidKeys (most values), fuzzInvalidKeys,
// a literal (length byte, then the bytes: any length up to 255, any content), or a buffer
// in the segment.
func (f *apiFuzz) key() buf {
	sel := f.in.byte()
	switch {
	case sel < 160:
		return buf{b: []byte(fuzzValidKeys[int(sel)%len(fuzzValidKeys)])}
	case sel < 200:
		return buf{b: []byte(fuzzInvalidKeys[int(sel-160)%len(fuzzInvalidKeys)])}
	case sel < 240:
		return buf{b: bytes.Clone(f.in.take(int(f.in.byte())))}
	}
	return f.segBuf(sel, int(f.in.byte()))
}

// value decodes a value for key: one byte's low 3 bits pick the kind, sizes come from the
// bytes that follow; sized values are filled with a counting pattern from a seed byte.
func (f *apiFuzz) value(key buf) buf {
	sel := f.in.byte()
	maxValue := f.m.maxItem - modelHeaderSize - len(key.b) // the largest value that fits
	var n int
	switch sel % 8 {
	case 0: // literal
		return buf{b: bytes.Clone(f.in.take(int(f.in.byte())))}
	case 1: // a number, or something like one
		return buf{b: []byte(fuzzNumbers[int(sel>>3)%len(fuzzNumbers)])}
	case 2: // a decimal from the input, padded to a length
		s := strconv.FormatUint(f.in.u64(), 10)
		return buf{b: []byte(s + strings.Repeat(" ", int(sel>>5)))}
	case 3: // around the largest value for this key: fits, or just past
		n = maxValue + int(f.in.byte()%5) - 2
	case 4: // around what fills the item when appended to what key holds now
		n = maxValue - f.heldLen(key) + int(f.in.byte()%5) - 2
	case 5: // around a slot's scratch: past it plib refuses the value before the store sees it
		n = f.m.scratch + int(f.in.byte()%3) - 1
	case 6: // any size up to twice the item size
		n = int(f.in.u16()) % (2 * f.m.maxItem)
	default:
		if sel&0x80 != 0 {
			return f.segBuf(sel>>3, int(f.in.u16())%(f.m.maxItem+64))
		}
		return buf{b: []byte{}}
	}
	v := make([]byte, max(n, 0))
	seed := f.in.byte()
	for i := range v {
		v[i] = seed + byte(i)
	}
	return buf{b: v}
}

// held is key's item in the model, if any. A key in the segment is never read: it may
// straddle the mapping's ends.
func (f *apiFuzz) held(key buf) *modelItem {
	if key.overlap {
		return nil
	}
	return f.m.items[string(key.b)]
}

// heldLen is the length of key's value in the model, 0 if none.
func (f *apiFuzz) heldLen(key buf) int {
	if it := f.held(key); it != nil {
		return len(it.value)
	}
	return 0
}

// dst decodes a destination for GetInto: nil, exactly the held value's length, one short,
// a roomy buffer, a small one, or a buffer in the segment.
func (f *apiFuzz) dst(key buf) buf {
	sel := f.in.byte()
	var n int
	switch sel % 6 {
	case 0:
		return buf{}
	case 1:
		n = f.heldLen(key)
	case 2:
		n = max(f.heldLen(key)-1, 0)
	case 3:
		n = f.m.maxItem
	case 4:
		n = int(f.in.byte())
	default:
		return f.segBuf(sel>>3, int(f.in.u16())%(f.m.maxItem+64))
	}
	return buf{b: make([]byte, n)}
}

// segBuf is a buffer of n bytes that shares memory with the segment, placed by sel: in the
// kv region at an offset from the input, over this session's value scratch, or straddling
// the mapping's first or last byte (the part outside the mapping may not even be mapped:
// a call that touched it would fault). n == 0 gives an empty buffer at a segment address,
// which is no overlap at all.
func (f *apiFuzz) segBuf(sel byte, n int) buf {
	mem := f.c.seg.mem
	kvOff := int(f.c.seg.layout.kvOff)
	var b []byte
	switch sel % 4 {
	case 0:
		span := len(mem) - kvOff - n
		b = mem[kvOff+int(f.in.u32())%span:][:n]
	case 1:
		n = min(n, len(f.s.val))
		b = f.s.val[:n]
	case 2:
		k := 1 + int(f.in.byte())%max(n, 1) // bytes inside
		b = unsafe.Slice(&mem[len(mem)-k], n)
		return buf{b: b, overlap: n > 0, inside: mem[len(mem)-min(k, n):]}
	default:
		k := 1 + int(f.in.byte())%max(n, 1) // bytes before the mapping
		if n == 0 {
			return buf{b: mem[:0]}
		}
		b = unsafe.Slice((*byte)(unsafe.Add(unsafe.Pointer(&mem[0]), -min(k, n-1))), n)
		return buf{b: b, overlap: true, inside: mem[:n-min(k, n-1)]}
	}
	return buf{b: b, overlap: n > 0, inside: b}
}

// exptime decodes an expiration: never, negative, a few seconds, the 30-day edge
// (relative) and one past it (an absolute time in 1970), absolute near now, the far
// future, or any int32.
func (f *apiFuzz) exptime() int32 {
	switch sel := f.in.byte(); sel % 8 {
	case 0:
		return 0
	case 1:
		return -1 - int32(f.in.byte())
	case 2:
		return 1 + int32(sel>>3)
	case 3:
		return modelMaxRelative + int32(sel>>3)%2
	case 4:
		return int32(f.clock.Now()) + int32(int8(f.in.byte()))
	case 5:
		return math.MaxInt32
	case 6:
		return int32(f.in.u32())
	default:
		return int32(f.in.u16())
	}
}

// cas decodes a CAS id: the model's id for the key (the right one), 0, the last id handed
// out, the next one, or any number.
func (f *apiFuzz) cas(key buf) uint64 {
	switch f.in.byte() % 5 {
	case 0:
		if it := f.held(key); it != nil {
			return it.cas
		}
		return f.m.cas
	case 1:
		return 0
	case 2:
		return f.m.cas
	case 3:
		return f.m.cas + 1
	}
	return f.in.u64()
}

// delta decodes an incr/decr amount, often at the edges of uint64.
func (f *apiFuzz) delta() uint64 {
	switch sel := f.in.byte(); sel % 4 {
	case 0:
		return uint64(sel >> 2)
	case 1:
		return math.MaxUint64 - uint64(sel>>2)
	case 2:
		return 1 << 63
	}
	return f.in.u64()
}
