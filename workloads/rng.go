package workloads

import (
	"math/bits"
	"math/rand/v2"
)

// rng is one stream of uniform random numbers. It holds math/rand/v2's PCG by value, so the
// Thread that owns it needs no lock, and drawing a number never allocates. PCG's output for a
// given seed is fixed by its specification, so streams are stable across Go releases.
type rng struct {
	pcg rand.PCG
}

// Streams of one thread: the operation stream (op types and keys) is kept apart from the
// value stream (value lengths), so whether and when a caller builds values cannot shift the
// sequence of operations.
const (
	streamOps    = 0
	streamValues = 1
)

// newRNG returns the stream `stream` of thread `thread` under `seed`.
func newRNG(seed int64, thread int64, stream uint64) rng {
	var r rng
	s := uint64(seed)
	r.pcg.Seed(splitmix64(s), splitmix64(s^splitmix64(uint64(thread)<<2|stream)))
	return r
}

// uint64 returns 64 uniform bits.
func (r *rng) uint64() uint64 { return r.pcg.Uint64() }

// float64 returns a uniform number in [0, 1), like Java's Random.nextDouble.
func (r *rng) float64() float64 { return float64(r.pcg.Uint64()>>11) * 0x1p-53 }

// int63n returns a uniform number in [0, n) for n > 0, by Lemire's multiply-shift: no
// division, and a bias of at most n/2^64.
func (r *rng) int63n(n int64) int64 {
	hi, _ := bits.Mul64(r.pcg.Uint64(), uint64(n))
	return int64(hi)
}

// splitmix64 is the finaliser of Steele, Lea and Flood's SplitMix64 ("Fast splittable
// pseudorandom number generators", OOPSLA 2014): a bijective mix of the 64 bits of x.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}
