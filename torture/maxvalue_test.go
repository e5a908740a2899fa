package torture

import (
	"strings"
	"testing"
)

// TestSmallMaxValue (issue 12 item 6): for every max value that validate accepts, from
// its lower bound up, every set the generator makes decodes as a chunk of the key (no
// NaN or negative payload size) and is no longer than the max value; a max value below
// the bound is refused with an error that names the bound.
func TestSmallMaxValue(t *testing.T) {
	base := DefaultConfig()
	accepted := 0
	for mv := 1; mv <= 300; mv++ {
		c := base
		c.MaxValue = mv
		if err := c.validate(); err != nil {
			if !strings.Contains(err.Error(), "max value") {
				t.Fatalf("max value %d: %v does not say what is wrong", mv, err)
			}
			if accepted > 0 {
				t.Fatalf("max value %d refused (%v) after a smaller one was accepted", mv, err)
			}
			continue
		}
		accepted++
		g := newGenerator(spec{Seed: 1, ID: 1 << 40, SampledKeys: c.SampledKeys, SampleShare: c.SampleShare,
			BulkKeys: c.BulkKeys, MaxValue: c.MaxValue})
		g.seq = 1 << 60 // long sequence numbers too
		for i := 0; i < 2000; i++ {
			k := len(g.keys) - 1 - i%len(g.keys) // bulk keys first
			if g.keys[k].counter {
				continue
			}
			v, tok := g.value(nil, k, OpSet)
			got, err := decodeValue(g.keys[k].name, v)
			if err != nil || got != tok {
				t.Fatalf("max value %d, key %s: %q decodes as %q, %v", mv, g.keys[k].name, v, got, err)
			}
			if len(v) > mv {
				t.Fatalf("max value %d, key %s: a set writes %d bytes", mv, g.keys[k].name, len(v))
			}
		}
	}
	if accepted == 0 {
		t.Fatal("no max value up to 300 accepted")
	}
	c := base
	c.MaxValue = 50
	err := c.validate()
	if err == nil || !strings.Contains(err.Error(), "least") {
		t.Fatalf("max value 50: %v, want an error naming the least max value", err)
	}
	t.Logf("max value 50: %v", err)
}
