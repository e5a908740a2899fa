package torture

import (
	"errors"
	"testing"
	"time"
)

func TestValueRoundTrip(t *testing.T) {
	v := appendChunk(nil, "hot:00:b", 3, 17, 100)
	v = appendChunk(v, "hot:00:b", 4, 2, 0)
	got, err := decodeValue("hot:00:b", v)
	if err != nil || got != "{3.17}{4.2}" {
		t.Fatalf("decode: %q, %v", got, err)
	}
	if got, err := decodeValue("c", []byte("12   ")); err != nil || got != "12   " {
		t.Fatalf("number: %q, %v", got, err)
	}
}

func TestValueCorruptionDetected(t *testing.T) {
	good := appendChunk(nil, "k1", 3, 17, 50)
	other := appendChunk(nil, "k1", 5, 1, 50)
	bad := map[string][]byte{
		"other key":      appendChunk(nil, "k2", 3, 17, 50),
		"flipped byte":   append(append([]byte{}, good[:20]...), append([]byte{good[20] ^ 1}, good[21:]...)...),
		"torn":           append(append([]byte{}, good[:30]...), other[30:]...),
		"truncated":      good[:len(good)-1],
		"trailing bytes": append(append([]byte{}, good...), 'x'),
		"not a number":   []byte("12x"),
		"empty":          {},
	}
	for name, v := range bad {
		if _, err := decodeValue("k1", v); !errors.Is(err, errBadValue) {
			t.Errorf("%s: %v, want errBadValue", name, err)
		}
	}
}

func TestLatencyHistogram(t *testing.T) {
	var h latHist
	s := &workerStats{}
	for i := int64(1); i <= 1000; i++ {
		s.Hist[bucketOf(i*1000)]++
	}
	h.merge(s.Hist[:])
	if p := h.quantile(0.5); p < 500*time.Microsecond || p > 570*time.Microsecond {
		t.Errorf("p50 %v", p)
	}
	if p := h.quantile(0.999); p < 999*time.Microsecond || p > 1130*time.Microsecond {
		t.Errorf("p99.9 %v", p)
	}
	for _, ns := range []int64{0, 15, 16, 17, 1000, 1 << 40} {
		if top := bucketTop(bucketOf(ns)); top < ns {
			t.Errorf("bucket of %d tops at %d", ns, top)
		}
	}
}
