package plib

import (
	"bytes"
	"encoding/binary"
	"testing"
)

// Mutation opcodes of mutateSegment: the low 3 bits of a record's first byte.
const (
	mutByte     = iota // write one byte
	mutU32             // write a 32-bit word
	mutU64             // write a 64-bit word
	mutSmallU32        // write a 32-bit word 0-255: a lock word naming a slot, a small count
	mutXor             // flip bits of one byte
	mutTruncate        // shorten the file
	mutExtend          // lengthen the file
	mutChecksum        // recompute the plib header's checksum (bit 3), kv's (bit 4)
)

// mutateSegment applies up to 32 mutation records to a copy of base. A record is an opcode
// byte, then per opcode: for writes, a position (u16, or u32 when bit 6 is set) relative
// to the area bits 3-5 pick (segImage.areas), then the value; for truncate and extend, a
// length selector; checksum records have nothing more. Writes that fall past the end are
// dropped.
func mutateSegment(base segImage, in *fuzzInput) segImage {
	img := base
	img.b = bytes.Clone(base.b)
	for i := 0; i < 32 && in.more(); i++ {
		op := in.byte()
		switch kind := op % 8; kind {
		case mutTruncate:
			n := len(img.b)
			switch sel := in.byte(); sel % 4 {
			case 0:
				n = int(in.u16()) // shorter than the header, or than the slot table
			case 1:
				n -= int(in.u16())
			case 2:
				n -= 1 + int(sel>>2)
			default:
				n = int(in.u32()) % (n + 1)
			}
			img.b = img.b[:max(n, 0)]
		case mutExtend:
			img.b = append(img.b, make([]byte, int(in.u16())+1)...)
		case mutChecksum:
			if op&0x08 != 0 && len(img.b) >= segChecked {
				binary.LittleEndian.PutUint32(img.b[sChecksum:], segChecksum(img.b))
			}
			if kvOff := base.areas[3]; op&0x10 != 0 && len(img.b) >= kvOff+112 {
				binary.LittleEndian.PutUint32(img.b[kvOff+12:], kvHeaderChecksum(img.b[kvOff:]))
			}
		default:
			pos := base.areas[op>>3%8]
			if op&0x40 != 0 {
				pos += int(in.u32() % uint32(len(base.b)))
			} else {
				pos += int(in.u16())
			}
			var v []byte
			switch kind {
			case mutByte:
				v = []byte{in.byte()}
			case mutU32:
				v = binary.LittleEndian.AppendUint32(nil, in.u32())
			case mutU64:
				v = binary.LittleEndian.AppendUint64(nil, in.u64())
			case mutSmallU32:
				v = binary.LittleEndian.AppendUint32(nil, uint32(in.byte()))
			default:
				if pos < len(img.b) {
					v = []byte{img.b[pos] ^ in.byte()}
				}
			}
			if pos+len(v) <= len(img.b) {
				copy(img.b[pos:], v)
			}
		}
	}
	return img
}

// apiErrors are the errors a call on a damaged segment may answer with.
var apiErrors = []error{ErrCacheMiss, ErrCASConflict, ErrNotStored, ErrValueTooLarge, ErrNonNumeric,
	ErrBufferTooSmall, ErrOutOfMemory, ErrNoSlots, ErrStore, ErrCorrupt, ErrBusy}

// exerciseDamaged makes a few calls of every kind on an opened damaged segment, through a
// Session and through the Client: reads, writes of two sizes (two slab classes), appends,
// incr, touch, delete, flush, Recover, then Check (whose report may be anything).
func exerciseDamaged(t *testing.T, c *Client, attach byte) {
	ok := func(what string, err error) {
		t.Helper()
		if err != nil && !isAny(err, apiErrors...) {
			t.Fatalf("%s: an error of no documented kind: %v", what, err)
		}
	}
	keys := append([]string{"new1", "new2"}, segmentBaseKeys...)
	dst := make([]byte, 8192)
	s, err := c.Session()
	ok("Session", err)
	for i, k := range keys {
		key := []byte(k)
		if s != nil {
			_, err = s.GetInto(key, dst)
			ok("GetInto", err)
			_, err = s.Incr(key, 1)
			ok("Incr", err)
			ok("Set", s.Set(key, bytes.Repeat([]byte{'v'}, 20+i*150), uint32(i), 100))
			ok("Touch", s.Touch(key, 5))
			_, err = s.GetAndTouchInto(key, 0, dst[:10])
			ok("GetAndTouchInto", err)
		}
		_, err = c.Get(k)
		ok("Get", err)
		ok("Append", c.Append(&Item{Key: k, Value: []byte("+")}))
		ok("Add", c.Add(&Item{Key: k, Value: []byte("1")}))
		_, err = c.Decrement(k, 1)
		ok("Decrement", err)
		if i%2 == 0 {
			ok("Delete", c.Delete(k))
		}
	}
	_, err = c.GetMulti(keys)
	ok("GetMulti", err)
	if attach&2 != 0 {
		ok("FlushAll", c.FlushAll())
		_, err = c.Recover()
		ok("Recover", err)
	}
	c.Stats()
	c.LocksHeld()
	c.Check() // under a pooled slot, while s still holds its own
	if s != nil {
		ok("Session.Close", s.Close())
	}
}

// fuzzSegmentSeeds: the undamaged segment, then one damage of each kind the opener and
// the store must survive.
func fuzzSegmentSeeds() [][]byte {
	at := func(area int) byte { return byte(area << 3) }
	const kvHeader = 3 // the kv header's area
	return [][]byte{
		{0}, {1}, {3},
		enc(0, mutTruncate, 0, u16(100)),                           // shorter than the plib header's fields
		enc(0, mutTruncate, 0, u16(4000)),                          // shorter than the header page
		enc(0, mutTruncate, 1, u16(4096)),                          // one page short
		enc(1, mutExtend, u16(4095)),                               // a page longer
		enc(0, mutXor|at(0), u16(0), 0xFF),                         // bad magic
		enc(0, mutByte|at(0), u16(sVersion), 2),                    // another layout version
		enc(0, mutByte|at(0), u16(sMaxSlots), 3),                   // a header that fails its checksum
		enc(0, mutU64|at(0), u16(sInitialised), u64(0)),            // creator died: initialise again
		enc(1, mutU64|at(0), u16(sInitialised), u64(0)),            // ... with the creator's sizes
		enc(0, mutU64|at(0), u16(sScratchSize), u64(16), 0x0F),     // tiny scratch, checksum fixed
		enc(0, mutU64|at(0), u16(sScratchSize), u64(1<<63), 0x0F),  // scratch wraps the layout
		enc(0, mutU64|at(0), u16(sMaxSlots), u64(4096), 0x0F),      // more slots than the table
		enc(0, mutByte|at(kvHeader), u16(36), 5, mutChecksum|0x10), // kv: other slot count, checksum fixed
		enc(0, mutSmallU32|at(5), u16(0), 1),                       // a stripe lock held by slot 0
		enc(0, mutSmallU32|at(5), u16(64), 3),                      // ... by kv's maintenance slot
		enc(0, mutSmallU32|at(4), u16(128), 2),                     // a class lock held by slot 1
		enc(2, mutU64|at(1), u16(0), u64(1<<32|1)),                 // slot 0 claimed by pid 1
		enc(0, mutU64|at(7), u16(0), u64(1<<40)),                   // an item's hash link out of bounds
		enc(0, mutU64|at(kvHeader), u16(264), u64(8)),              // kv: the hash table elsewhere
		enc(0, mutU32|at(7), u16(44), u32(1<<31)),                  // an item's length past its page
	}
}
