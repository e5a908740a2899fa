package torture

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// keyRef is one key of the workload. Keys 0..SampledKeys-1 are the sampled ones; every
// third of them, and every tenth bulk key, is a counter.
type keyRef struct {
	name    string
	sampled bool
	counter bool
}

// keySpace lists the workload's keys, sampled first.
func keySpace(sampled, bulk int) []keyRef {
	keys := make([]keyRef, 0, sampled+bulk)
	for i := 0; i < sampled; i++ {
		k := keyRef{sampled: true, counter: i%3 == 2}
		k.name = fmt.Sprintf("hot:%02d:%s", i, kindName(k.counter))
		keys = append(keys, k)
	}
	for i := 0; i < bulk; i++ {
		k := keyRef{counter: i%10 == 9}
		k.name = fmt.Sprintf("bulk:%05d:%s", i, kindName(k.counter))
		keys = append(keys, k)
	}
	return keys
}

func kindName(counter bool) string {
	if counter {
		return "n"
	}
	return "b"
}

// The operation mixes, YCSB-A-like: half reads, half updates of every kind. A cas is a
// get followed (on a hit) by a cas with the id read. Blob keys see the odd incr (which
// must fail: not a number); counter keys never see append.
var (
	blobMix    = mix{OpGet: 50, OpSet: 17, OpAppend: 10, OpCAS: 9, OpDelete: 5, OpAdd: 7, OpIncr: 2}
	counterMix = mix{OpGet: 50, OpSet: 10, OpIncr: 20, OpDecr: 6, OpCAS: 6, OpDelete: 3, OpAdd: 5}
)

// mix gives each operation a weight out of 100.
type mix [numOps]int

func (m *mix) pick(r *rand.Rand) OpKind {
	n := r.IntN(100)
	for op, w := range m {
		if n < w {
			return OpKind(op)
		}
		n -= w
	}
	return OpGet
}

// generator makes a worker's operations and values.
type generator struct {
	r        *rand.Rand
	keys     []keyRef
	sampled  int
	share    float64
	maxValue int
	writer   uint64
	seq      uint64
}

func newGenerator(sp spec) *generator {
	return &generator{
		r:        rand.New(rand.NewPCG(uint64(sp.Seed), sp.ID)),
		keys:     keySpace(sp.SampledKeys, sp.BulkKeys),
		sampled:  sp.SampledKeys,
		share:    sp.SampleShare,
		maxValue: sp.MaxValue,
		writer:   sp.ID,
	}
}

// next picks a key (by index) and an operation on it.
func (g *generator) next() (int, OpKind) {
	var k int
	if g.r.Float64() < g.share {
		k = g.r.IntN(g.sampled)
	} else {
		k = g.sampled + g.r.IntN(len(g.keys)-g.sampled)
	}
	if g.keys[k].counter {
		return k, counterMix.pick(g.r)
	}
	return k, blobMix.pick(g.r)
}

// logUniform returns a size in [lo, hi], uniform in its logarithm; lo if hi <= lo. lo
// must be at least 1.
func (g *generator) logUniform(lo, hi int) int {
	if hi <= lo {
		return lo
	}
	n := int(math.Exp(math.Log(float64(lo)) + g.r.Float64()*(math.Log(float64(hi))-math.Log(float64(lo)))))
	return min(max(n, lo), hi) // rounding
}

// Payload sizes of a set: a sampled key's are log-uniform in [minSampledPayload, 400], a
// bulk key's in [minBulkPayload, what MaxValue leaves]; both are capped so that the whole
// chunk fits in MaxValue bytes.
const (
	minSampledPayload = 8
	maxSampledPayload = 400
	minBulkPayload    = 32
)

// minMaxValue is the least MaxValue a workload of these keys can honour: the longest
// chunk of the smallest payload a set writes, over every key (with the longest WRITER
// and SEQ fields the format allows).
func minMaxValue(sampled, bulk int) int {
	least := 0
	for _, k := range keySpace(sampled, bulk) {
		if k.counter {
			continue
		}
		lo := minBulkPayload
		if k.sampled {
			lo = minSampledPayload
		}
		least = max(least, lo+chunkFrame(len(k.name), lo))
	}
	return least
}

// value returns the bytes to write to key k by op (one new chunk, or a number) and their
// abstract form.
func (g *generator) value(dst []byte, k int, op OpKind) ([]byte, string) {
	key := g.keys[k]
	if key.counter {
		s := fmt.Sprint(g.number())
		return append(dst, s...), s
	}
	g.seq++
	var n int
	switch {
	case op == OpAppend && key.sampled:
		n = g.logUniform(4, 64)
	case op == OpAppend:
		n = g.logUniform(16, 256)
	case key.sampled:
		n = g.logUniform(minSampledPayload, min(maxSampledPayload, payloadRoom(len(key.name), g.maxValue)))
	default:
		n = g.logUniform(minBulkPayload, payloadRoom(len(key.name), g.maxValue))
	}
	return appendChunk(dst, key.name, g.writer, g.seq, n), chunkToken(g.writer, g.seq)
}

// number is a counter's new value: mostly small, sometimes just below 2^64 (so incr
// wraps) or a power of ten (so decr shrinks it and the store pads it with spaces).
func (g *generator) number() uint64 {
	switch x := g.r.IntN(100); {
	case x < 85:
		return g.r.Uint64N(1_000_000)
	case x < 95:
		return math.MaxUint64 - g.r.Uint64N(1000)
	default:
		return uint64(math.Pow10(1 + g.r.IntN(18)))
	}
}

// delta is an incr's or decr's argument: mostly small, sometimes huge (incr wraps).
func (g *generator) delta(op OpKind) uint64 {
	if op == OpIncr && g.r.IntN(10) == 0 {
		return 1<<63 + g.r.Uint64N(1<<62)
	}
	if op == OpDecr {
		return 1 + g.r.Uint64N(1000)
	}
	return 1 + g.r.Uint64N(100)
}
