package workloads

import (
	"bytes"
	"errors"
	"testing"
)

func TestValueRoundTrip(t *testing.T) {
	key := []byte("user6284781860667377211")
	for _, n := range []int{0, MinValueSize, MinValueSize + 1, 100, 128, 1000, 5120, 5127} {
		v := appendValue([]byte("prefix"), key, 0xfeedface12345678, n)
		if string(v[:6]) != "prefix" {
			t.Fatalf("n=%d: dst prefix overwritten", n)
		}
		v = v[6:]
		if want := max(n, MinValueSize); len(v) != want {
			t.Fatalf("n=%d: %d bytes, want %d", n, len(v), want)
		}
		for i, c := range v {
			if c < 0x21 || c > 0x7e {
				t.Fatalf("n=%d: byte %d is %#x, not printable", n, i, c)
			}
		}
		if err := VerifyValue(key, v); err != nil {
			t.Errorf("n=%d: %v", n, err)
		}
		if ver, err := ValueVersion(v); err != nil || ver != 0xfeedface12345678 {
			t.Errorf("n=%d: version %x, %v", n, ver, err)
		}
	}
}

func TestValueDependsOnKeyAndVersion(t *testing.T) {
	a := appendValue(nil, []byte("user1"), 1, 128)
	if !bytes.Equal(a, appendValue(nil, []byte("user1"), 1, 128)) {
		t.Error("the same (key, version) gives different values")
	}
	b := appendValue(nil, []byte("user1"), 2, 128)
	c := appendValue(nil, []byte("user2"), 1, 128)
	if bytes.Equal(a[valueHeaderLen:], b[valueHeaderLen:]) || bytes.Equal(a[valueHeaderLen:], c[valueHeaderLen:]) {
		t.Error("filler does not depend on key and version")
	}
}

func TestVerifyValueDetectsDamage(t *testing.T) {
	key := []byte("user8517097267634966620")
	v := appendValue(nil, key, 7, 128)
	// Every single-byte change.
	for i := range v {
		damaged := bytes.Clone(v)
		damaged[i] ^= 0x04
		if err := VerifyValue(key, damaged); !errors.Is(err, ErrCorruptValue) {
			t.Errorf("byte %d changed: %v, want ErrCorruptValue", i, err)
		}
	}
	// Every truncation, and an extension.
	for n := range len(v) {
		if err := VerifyValue(key, v[:n]); !errors.Is(err, ErrCorruptValue) {
			t.Errorf("truncated to %d: %v, want ErrCorruptValue", n, err)
		}
	}
	if err := VerifyValue(key, append(bytes.Clone(v), 'x')); !errors.Is(err, ErrCorruptValue) {
		t.Errorf("extended: %v, want ErrCorruptValue", err)
	}
	// A torn write: the first half of version 8 over version 7.
	torn := bytes.Clone(v)
	copy(torn[:64], appendValue(nil, key, 8, 128))
	if err := VerifyValue(key, torn); !errors.Is(err, ErrCorruptValue) {
		t.Errorf("torn: %v, want ErrCorruptValue", err)
	}
	// A whole value of another key.
	if err := VerifyValue([]byte("user1"), v); !errors.Is(err, ErrWrongKey) {
		t.Errorf("other key: %v, want ErrWrongKey", err)
	}
	if _, err := ValueVersion([]byte("short")); !errors.Is(err, ErrCorruptValue) {
		t.Errorf("ValueVersion(short): %v", err)
	}
}

func TestValueLengths(t *testing.T) {
	for _, tc := range []struct {
		p        Properties
		min, max int
	}{
		{Properties{"fieldcount": "1", "fieldlength": "128"}, 128, 128},
		{Properties{"fieldcount": "10", "fieldlength": "100"}, 1000, 1000},
		{Properties{"fieldcount": "1", "fieldlength": "10"}, MinValueSize, MinValueSize},
		{Properties{"fieldcount": "4", "fieldlength": "100", "minfieldlength": "50", "fieldlengthdistribution": "uniform"}, 200, 400},
		{Properties{"fieldcount": "2", "fieldlength": "1000", "minfieldlength": "40", "fieldlengthdistribution": "zipfian"}, 80, 2000},
	} {
		w := mustWorkload(t, tc.p)
		if w.MaxValueSize() != tc.max {
			t.Errorf("%v: MaxValueSize %d, want %d", tc.p, w.MaxValueSize(), tc.max)
		}
		th := w.NewThread(0, 1, 3)
		lengths := map[int]bool{}
		for i := range 2000 {
			key := w.KeyName(nil, int64(i))
			v := th.Value(nil, key, uint64(i))
			lv := w.LoadValue(nil, key, uint64(i))
			for _, x := range [][]byte{v, lv} {
				if len(x) < tc.min || len(x) > tc.max || VerifyValue(key, x) != nil {
					t.Fatalf("%v: value of %d bytes, want %d..%d, verifying", tc.p, len(x), tc.min, tc.max)
				}
			}
			if !bytes.Equal(lv, w.LoadValue(nil, key, uint64(i))) {
				t.Fatalf("%v: LoadValue not deterministic", tc.p)
			}
			lengths[len(v)] = true
		}
		if varies := len(lengths) > 1; varies != (tc.min != tc.max) {
			t.Errorf("%v: %d distinct lengths", tc.p, len(lengths))
		}
	}
}

func TestValueDoesNotAllocate(t *testing.T) {
	w := mustBuiltin(t, "paper-readheavy", "fieldlength=5120")
	th := w.NewThread(0, 1, 1)
	key := w.KeyName(nil, 1)
	buf := make([]byte, 0, w.MaxValueSize())
	allocs := testing.AllocsPerRun(100, func() {
		buf = th.Value(buf[:0], key, 3)
		buf = w.LoadValue(buf[:0], key, 3)
		if VerifyValue(key, buf) != nil {
			panic("bad value")
		}
	})
	if allocs != 0 {
		t.Errorf("Value, LoadValue and VerifyValue allocate %v times", allocs)
	}
}

// FuzzVerifyValue checks that VerifyValue never panics, and that whatever it accepts has a
// readable version.
func FuzzVerifyValue(f *testing.F) {
	f.Add([]byte("user1"), appendValue(nil, []byte("user1"), 3, 128))
	f.Add([]byte("user1"), appendValue(nil, []byte("user1"), 0, MinValueSize))
	f.Add([]byte(""), []byte("Y0000"))
	f.Fuzz(func(t *testing.T, key, value []byte) {
		if VerifyValue(key, value) == nil {
			if _, err := ValueVersion(value); err != nil {
				t.Fatalf("VerifyValue accepts %q, ValueVersion says %v", value, err)
			}
		}
	})
}
