package plib

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"runtime/debug"
	"testing"
	"time"

	"github.com/plibcached/plibcached/kv"
)

// FuzzSegment opens damaged segment files. It starts from a valid small segment holding a
// few items (made by Open, Set and Close), applies the mutations the input decodes to
// (see mutateSegment), writes the result to a file and opens it. Open must refuse it with
// one of its documented errors, or return a Client whose calls all answer with errors of
// the API: no panic, fault or hang (a 10 s watchdog turns a hang into a crash), and the
// file keeps its size.
func FuzzSegment(f *testing.F) {
	base := segmentBase(f)
	for _, seed := range fuzzSegmentSeeds() {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		watchdog := time.AfterFunc(10*time.Second, func() {
			debug.SetTraceback("all")
			panic("FuzzSegment: input ran for 10 s")
		})
		defer watchdog.Stop()
		in := &fuzzInput{b: data}
		attach := in.byte() // which options the opener passes
		img := mutateSegment(base, in)
		path := filepath.Join(t.TempDir(), "seg")
		writeSparse(t, path, img)
		opts := Options{Protection: ModeNoPKU, Clock: kv.NewManualClock(fuzzNow + 10)}
		if attach&1 != 0 { // name the sizes the segment was made with, as its creator did
			opts.Size, opts.MaxItemSize, opts.MaxClients = base.opts.Size, base.opts.MaxItemSize, base.opts.MaxClients
		}
		c, err := Open(path, opts)
		if err != nil {
			if !isAny(err, ErrNotSegment, ErrVersion, ErrSizeMismatch, ErrCorrupt, ErrOptions) {
				t.Fatalf("Open: an error of no documented kind: %v", err)
			}
			return
		}
		exerciseDamaged(t, c, attach)
		if err := c.Close(); err != nil {
			t.Fatalf("Close: %v", err)
		}
		if st, err := os.Stat(path); len(img.b) > 0 && (err != nil || st.Size() != int64(len(img.b))) {
			t.Fatalf("the segment file changed size: %d bytes, was %d (%v)", st.Size(), len(img.b), err)
		}
	})
}

// segImage is a segment file's bytes, with the offsets of its parts for the mutations.
type segImage struct {
	b    []byte
	opts Options
	// areas are offsets a mutation's position is relative to: the plib header, the slot
	// table, the scratch, the kv header, its class table, its stripe locks, its page table
	// and hash table, and the first slab page (read from the kv header: test knowledge of
	// kv's layout, which only aims the mutations).
	areas [8]int
}

var segmentBaseKeys = []string{"a", "b", "c", "counter", "big", "k5", "k6", "k7"}

// segmentBase makes the valid starting image: 3 MiB, two slots, 4 KiB items, a few items
// of two slab classes, one of them counting.
func segmentBase(f *testing.F) segImage {
	opts := Options{Size: 3 << 20, MaxItemSize: 4096, MaxClients: 2, ExpectedItems: 64, Protection: ModeNoPKU, Clock: kv.NewManualClock(fuzzNow)}
	path := filepath.Join(f.TempDir(), "base")
	c, err := Open(path, opts)
	if err != nil {
		f.Fatal(err)
	}
	for i, k := range segmentBaseKeys {
		v := []byte(fmt.Sprint("value-", i))
		if k == "big" {
			v = make([]byte, 300)
		}
		if err := c.Set(&Item{Key: k, Value: v, Flags: uint32(i), Expiration: int32(i % 3 * 100)}); err != nil {
			f.Fatal(err)
		}
	}
	if err := c.Set(&Item{Key: "counter", Value: []byte("41")}); err != nil {
		f.Fatal(err)
	}
	if err := c.Close(); err != nil {
		f.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	img := segImage{b: b, opts: opts}
	le := binary.LittleEndian
	kvOff := int(le.Uint64(b[sKVOff:]))
	img.areas = [8]int{0, int(le.Uint64(b[sSlotTableOff:])), int(le.Uint64(b[sScratchOff:])), kvOff}
	for i, field := range []int{48, 56, 72, 80} { // kv's hClassOff, hStripeOff, hPageTableOff, hFirstPage
		img.areas[4+i] = kvOff + int(le.Uint64(b[kvOff+field:]))
	}
	return img
}

// writeSparse writes img to a new file at path, skipping all-zero pages (the file is
// sparse there, as a fresh segment is).
func writeSparse(t *testing.T, path string, img segImage) {
	fh, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	if err := fh.Truncate(int64(len(img.b))); err != nil {
		t.Fatal(err)
	}
	for off := 0; off < len(img.b); off += pageSize {
		p := img.b[off:min(off+pageSize, len(img.b))]
		if !allZero(p) {
			if _, err := fh.WriteAt(p, int64(off)); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func isAny(err error, targets ...error) bool {
	for _, t := range targets {
		if errors.Is(err, t) {
			return true
		}
	}
	return false
}

// kvHeaderChecksum is kv's header checksum: CRC-32C over the first 112 bytes with the
// checksum field (at 12) taken as zero. The mutations use it to get past kv.Open's first
// check; kv's own tests cover the check itself.
func kvHeaderChecksum(h []byte) uint32 {
	var buf [112]byte
	copy(buf[:], h)
	binary.LittleEndian.PutUint32(buf[12:], 0)
	return crc32.Checksum(buf[:], crc32.MakeTable(crc32.Castagnoli))
}
