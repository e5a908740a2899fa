package plib

import "encoding/binary"

// Selector bytes of fuzz_input_test.go's decoders, to spell FuzzAPI's seeds readably.
const (
	kA, kB, kN, kLong250, kUTF8, kBinary = 0, 1, 2, 4, 5, 6 // fuzzValidKeys
	kEmpty, kLong251, kSpace, kNul       = 160, 161, 162, 163
	kLiteral                             = 200 // then length, bytes
	kSegKV, kSegScratch                  = 240, 241
	kSegEnd, kSegStart                   = 242, 243 // straddling the mapping's last or first byte

	vLit, vDec, vMaxFit, vFill, vScratch, vAny, vEmpty = 0, 2, 3, 4, 5, 6, 7
	vSegKV, vSegEnd                                    = 0x87, 0x97 // then u16 length

	dNil, dExact, dShort, dBig, dSmall = 0, 1, 2, 3, 4
	dSegKV, dSegScratch, dSegEnd       = 5, 11, 17
	dSegStart                          = 29

	eNever, eNeg, e30Days, e30DaysPlus1, eNear, eFar = 0, 1, 3, 11, 4, 5

	cRight, cZero, cLast, cNext, cRaw = 0, 1, 2, 3, 4

	modeSet, modeAdd, modeReplace, modeAppend, modePrepend, modeCAS, modeBad = 0, 1, 2, 3, 4, 5, 6
)

func vNum(i int) byte  { return byte(1 + 8*i) }     // fuzzNumbers[i]
func eRel(n int) byte  { return byte(2 + 8*(n-1)) } // n seconds from now, 1 <= n <= 32
func dl(n int) byte    { return byte(4 * n) }       // delta n < 64
func dlMax(n int) byte { return byte(1 + 4*n) }     // delta 2^64-1-n
func adv(n int) byte   { return byte(4 * n) }       // the clock moves n < 64 seconds

type (
	u16 uint16
	u32 uint32
	u64 uint64
)

// enc concatenates seed parts: ints are single bytes, strings their bytes, u16/u32/u64
// little-endian words.
func enc(parts ...any) []byte {
	var b []byte
	for _, p := range parts {
		switch v := p.(type) {
		case int:
			b = append(b, byte(v))
		case byte:
			b = append(b, v)
		case string:
			b = append(b, v...)
		case u16:
			b = binary.LittleEndian.AppendUint16(b, uint16(v))
		case u32:
			b = binary.LittleEndian.AppendUint32(b, uint32(v))
		case u64:
			b = binary.LittleEndian.AppendUint64(b, uint64(v))
		default:
			panic("enc: bad part")
		}
	}
	return b
}

func fuzzAPISeeds() [][]byte {
	noFlags := u32(0)
	return [][]byte{
		{},
		// The gomemcache walk: set, get, add, replace, append, prepend, gets, cas right and
		// stale, incr, decr, delete twice, getmulti.
		enc(opClientStore, modeSet, kA, vLit, 3, "old", u32(42), eNever,
			opGet, kA,
			opClientStore, modeAdd, kA, vLit, 1, "x", noFlags, eNever,
			opClientStore, modeReplace, kB, vLit, 1, "x", noFlags, eNever,
			opClientStore, modeAppend, kA, vLit, 2, "+a", noFlags, eNever,
			opClientStore, modePrepend, kA, vLit, 2, "p+", noFlags, eNever,
			opGetInto, kA, dExact,
			opCompareSwap, kA, vLit, 5, "fresh", u32(1), eNever, cRight,
			opCompareSwap, kA, vLit, 5, "stale", u32(1), eNever, cZero,
			opCompareSwap, kB, vLit, 1, "x", noFlags, eNever, cRaw, u64(7),
			opClientStore, modeSet, kN, vNum(3), noFlags, eNever,
			opIncrDecr, 0, kN, dl(5),
			opIncrDecr, 1, kN, dl(100),
			opGetMulti, 3, kA, kN, kB,
			opDelete, kA, opDelete, kA),
		// Expiry: relative, negative, the 30-day edge both ways, touch, gat, LRU bumps.
		enc(opClientStore, modeSet, kA, vLit, 1, "1", noFlags, eRel(2),
			opClientStore, modeSet, kB, vLit, 1, "2", noFlags, eNeg, 0,
			opClientStore, modeSet, kN, vLit, 1, "3", noFlags, e30Days,
			opClientStore, modeSet, kUTF8, vLit, 1, "4", noFlags, e30DaysPlus1,
			opGet, kB, opGet, kUTF8, opGATInto, kN, eFar, dBig,
			opAdvance, adv(1), opGet, kA, opTouch, kN, eRel(1), opGetAndTouch, kN, eNear, 0x10,
			opAdvance, adv(2), opGet, kA, opGetInto, kN, dBig,
			opClientStore, modeSet, kBinary, vLit, 1, "5", noFlags, eNever,
			opAdvance, 1, opGetInto, kBinary, dBig, opGetInto, kBinary, dBig), // 60 s: an LRU bump
		// Buffers in the segment: keys, values and destinations, inside and straddling.
		enc(opStore, modeSet, kA, vLit, 1, "v", noFlags, eNever, cZero,
			opStore, modeSet, kSegKV, 8, u32(100), vLit, 1, "v", noFlags, eNever, cZero,
			opStore, modeSet, kA, vSegKV, u16(64), u32(4096), noFlags, eNever, cZero,
			opStore, modeSet, kA, vSegEnd, u16(16), 4, noFlags, eNever, cZero,
			opGetInto, kA, dSegKV, u16(16), u32(0),
			opGetInto, kA, dSegScratch, u16(16),
			opGetInto, kSegScratch, 4, dBig,
			opGATInto, kA, eNever, dSegEnd, u16(16), 3,
			opClientGetInto, kA, dSegStart, u16(16), 3,
			opSessionKeyed, 0, kSegStart, 8, 2,
			opSessionKeyed, 1, kSegEnd, 8, 2, dl(1),
			opClientStore, modeSet, kA, vSegKV, u16(0), u32(0), noFlags, eNever,
			opGetInto, kA, dExact),
		// Sizes: the longest key with the largest value, one byte more, past the scratch
		// (a set removes the old value), appends up to the limit, malformed keys.
		enc(opClientStore, modeSet, kLong250, vMaxFit, 2, 7, noFlags, eNever,
			opGetInto, kLong250, dShort, opGetInto, kLong250, dExact,
			opClientStore, modeSet, kLong250, vMaxFit, 3, 7, noFlags, eNever,
			opClientStore, modeSet, kB, vLit, 1, "b", noFlags, eNever,
			opStore, modeAdd, kB, vScratch, 2, 1, noFlags, eNever, cZero,
			opStore, modeSet, kB, vScratch, 2, 1, noFlags, eNever, cZero,
			opClientStore, modeSet, kA, vAny, u16(100), 1, noFlags, eNever,
			opClientStore, modeAppend, kA, vFill, 2, 1, noFlags, eNever,
			opClientStore, modePrepend, kA, vFill, 3, 1, noFlags, eNever,
			opClientStore, modeSet, kLong251, vLit, 1, "x", noFlags, eNever,
			opClientStore, modeSet, kSpace, vLit, 1, "x", noFlags, eNever,
			opClientStore, modeSet, kNul, vScratch, 2, 1, noFlags, eNever,
			opStore, modeBad, kBinary, vEmpty, noFlags, eNever, cZero,
			opGet, kEmpty, opDelete, kLiteral, 3, "a\rb", opGetMulti, 2, kA, kSpace),
		// Flushes: delayed, then passed, then replaced; now.
		enc(opClientStore, modeSet, kA, vLit, 1, "1", noFlags, eNever,
			opSessionFlush, eRel(5), opAdvance, adv(2), opClientStore, modeSet, kB, vLit, 1, "2", noFlags, eNever,
			opAdvance, adv(3), opGet, kA, opGet, kB,
			opSessionFlush, eRel(30), opGet, kB, opFlushAll, opGet, kB),
		// Numbers: wrap at 2^64, stop at 0, non-numeric, padding in place, growth.
		enc(opClientStore, modeSet, kN, vNum(6), noFlags, eNever,
			opIncrDecr, 0, kN, dl(1), opGet, kN,
			opIncrDecr, 1, kN, dlMax(0),
			opClientStore, modeSet, kN, vNum(3), noFlags, eNever,
			opIncrDecr, 1, kN, dl(1), opGetInto, kN, dExact,
			opIncrDecr, 0, kN, dl(63), opIncrDecr, 0, kN, dlMax(0), opGet, kN,
			opClientStore, modeSet, kA, vNum(9), noFlags, eNever, opIncrDecr, 0, kA, dl(1),
			opClientStore, modeSet, kB, vNum(11), noFlags, eNever, opIncrDecr, 0, kB, dl(1),
			opClientStore, modeSet, kUTF8, vNum(17), noFlags, eNever, opIncrDecr, 0, kUTF8, dl(1)),
	}
}
