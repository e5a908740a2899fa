package workloads

// YCSB's ScrambledZipfianGenerator draws from a Zipfian over a fixed, huge item space whose ζ is
// precomputed, and hashes the drawn item into the caller's range. The popular items are thereby
// scattered over the key space instead of being keys 0, 1, 2, …, and the distribution does not
// depend on the range's size, so a range of 40M keys costs nothing to set up.
const (
	// scrambledItemCount is YCSB's ScrambledZipfianGenerator.ITEM_COUNT. (YCSB's master branch
	// later changed it to 1e16 without recomputing ZETAN, which belongs to 1e10; 0.17.0, the
	// release of the paper's era, has 1e10.)
	scrambledItemCount = 10_000_000_000
	// scrambledZetan is YCSB's precomputed ζ(scrambledItemCount, 0.99).
	scrambledZetan = 26.46902820178302
)

// scrambledZipfian draws from [min, min+itemcount) with Zipfian popularity at θ = 0.99.
// It holds no mutable state: draws are read-only, so one value may be copied freely.
type scrambledZipfian struct {
	min       int64
	itemcount int64
	gen       zipfian // over [0, scrambledItemCount], as YCSB's `new ZipfianGenerator(0, ITEM_COUNT, θ, ZETAN)`
}

// newScrambledZipfian returns YCSB's ScrambledZipfianGenerator(min, max) (inclusive bounds).
func newScrambledZipfian(min, max int64) scrambledZipfian {
	return scrambledZipfian{
		min:       min,
		itemcount: max - min + 1,
		gen:       newZipfianZeta(0, scrambledItemCount, ZipfianConstant, scrambledZetan),
	}
}

// choose implements keyChooser: min + fnvhash64(zipfian draw) mod itemcount.
func (s *scrambledZipfian) choose(r *rng, _ int64) int64 {
	h := FNVHash64(s.gen.next(r)) % s.itemcount
	if h < 0 { // FNVHash64 is negative only for math.MinInt64 (Java's Math.abs quirk)
		h += s.itemcount
	}
	return s.min + h
}
