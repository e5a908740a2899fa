package workloads

import (
	"encoding/binary"
	"hash/fnv"
	"math"
	"strconv"
	"testing"
)

// referenceFNVHash64 restates YCSB's Utils.fnvhash64 from its definition: FNV-1a 64 (offset
// basis 0xCBF29CE484222325, prime 1099511628211, xor then multiply) over the 8 bytes of the
// number, least significant first, then Java's Math.abs on the signed result.
func referenceFNVHash64(v int64) int64 {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], uint64(v))
	h := fnv.New64a()
	h.Write(b[:])
	s := int64(h.Sum64())
	if s < 0 {
		s = -s
	}
	return s
}

func TestKeyNameYCSBValues(t *testing.T) {
	for _, tc := range []struct {
		keynum int64
		want   string
	}{
		{0, "user6284781860667377211"}, // values printed by YCSB itself
		{1, "user8517097267634966620"},
	} {
		if got := string(AppendKeyName(nil, tc.keynum, 1, false)); got != tc.want {
			t.Errorf("key for %d = %q, want %q", tc.keynum, got, tc.want)
		}
	}
	for _, keynum := range []int64{0, 1, 2, 9, 255, 256, 1000, 39_999_999, 1 << 40, math.MaxInt64, -1, math.MinInt64} {
		want := "user" + strconv.FormatInt(referenceFNVHash64(keynum), 10)
		if got := string(AppendKeyName(nil, keynum, 1, false)); got != want {
			t.Errorf("key for %d = %q, want %q", keynum, got, want)
		}
	}
}

func TestKeyNamePaddingAndOrder(t *testing.T) {
	for _, tc := range []struct {
		keynum  int64
		padding int
		ordered bool
		want    string
	}{
		{5, 1, true, "user5"},         // YCSB's CoreWorkload documentation
		{5, 8, true, "user00000005"},  // idem
		{12345, 3, true, "user12345"}, // padding shorter than the number: none
		{0, 0, true, "user0"},
		{0, 21, false, "user006284781860667377211"},
		{math.MinInt64, 1, true, "user-9223372036854775808"}, // Java's Long.toString, sign counted
		{-5, 4, true, "user00-5"},                            // Java pads before the sign too
	} {
		if got := string(AppendKeyName(nil, tc.keynum, tc.padding, tc.ordered)); got != tc.want {
			t.Errorf("AppendKeyName(%d, %d, %v) = %q, want %q", tc.keynum, tc.padding, tc.ordered, got, tc.want)
		}
	}
}

func TestKeyNameDoesNotAllocate(t *testing.T) {
	w := mustWorkload(t, Properties{"zeropadding": "30"})
	buf := make([]byte, 0, w.MaxKeySize())
	var keynum int64
	allocs := testing.AllocsPerRun(1000, func() {
		buf = w.KeyName(buf[:0], keynum)
		keynum++
	})
	if allocs != 0 {
		t.Errorf("KeyName allocates %v times per call with room in dst", allocs)
	}
	if len(buf) > w.MaxKeySize() {
		t.Errorf("key %q longer than MaxKeySize %d", buf, w.MaxKeySize())
	}
}

func TestKeyNameOrderedDecimal(t *testing.T) {
	for p := int64(1); p > 0 && p <= math.MaxInt64/10; p *= 10 {
		for _, v := range []int64{p - 1, p, p + 1, 10*p - 1, -p, -p - 1} {
			want := "user" + strconv.FormatInt(v, 10)
			if got := string(AppendKeyName(nil, v, 0, true)); got != want {
				t.Errorf("ordered key for %d = %q, want %q", v, got, want)
			}
		}
	}
}
