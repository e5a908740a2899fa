package workloads

import "math"

// Zeta, ζ(n, θ) = Σ_{i=1..n} 1/i^θ, is the normalising constant of a Zipfian distribution over
// n items. YCSB sums it term by term (ZipfianGenerator.zetastatic), which takes about a second
// for the paper's 40M records and minutes for more. Here only a short head is summed term by
// term; the tail comes from the Euler–Maclaurin formula, whose error for terms past
// zetaExactHead is below double precision. The result is the same to ~1e-15 relative, in
// microseconds for any n.

// zetaExactHead is how many leading terms of ζ are summed exactly, and the longest range
// summed term by term. Past it the Euler–Maclaurin remainder is below 1e-20.
const zetaExactHead = 1024

// zeta returns ζ(n, θ) for n ≥ 0 (0 for n ≤ 0).
func zeta(n int64, theta float64) float64 {
	return zetaRange(0, n, theta, 0)
}

// zetaRange returns initial + Σ_{i=from+1..to} 1/i^θ: YCSB's incremental zeta, used when a
// Zipfian's item count grows from `from` to `to`. When to < from the terms are subtracted
// instead, so shrinking is as cheap as growing.
func zetaRange(from, to int64, theta float64, initial float64) float64 {
	if to < from {
		return initial - zetaRange(to, from, theta, 0)
	}
	from = max(from, 0)
	sum := initial
	// Short ranges (a Zipfian grown by a few inserts) are summed exactly: cheaper than the
	// formula's eight powers. Long ones: exactly up to zetaExactHead, by formula past it.
	head := to
	if to-from > zetaExactHead {
		head = max(from, zetaExactHead)
	}
	for i := from + 1; i <= head; i++ {
		sum += 1 / math.Pow(float64(i), theta)
	}
	if head < to {
		sum += eulerMaclaurin(float64(head+1), float64(to), theta)
	}
	return sum
}

// eulerMaclaurin returns Σ_{i=a..b} i^-θ for integers 1 ≤ a ≤ b by the Euler–Maclaurin formula
// with three Bernoulli correction terms: ∫_a^b f + (f(a)+f(b))/2 + Σ_k B_2k/(2k)! (f^(2k-1)(b) − f^(2k-1)(a)).
func eulerMaclaurin(a, b, theta float64) float64 {
	f := func(x float64) float64 { return math.Pow(x, -theta) }
	var integral float64
	if theta == 1 {
		integral = math.Log(b / a)
	} else {
		integral = (math.Pow(b, 1-theta) - math.Pow(a, 1-theta)) / (1 - theta)
	}
	// Odd derivatives of x^-θ: f' = -θ x^(-θ-1), f''' = -θ(θ+1)(θ+2) x^(-θ-3),
	// f^(5) = -θ(θ+1)(θ+2)(θ+3)(θ+4) x^(-θ-5).
	c1 := -theta
	c3 := c1 * (theta + 1) * (theta + 2)
	c5 := c3 * (theta + 3) * (theta + 4)
	d := func(c, p float64) float64 { return c * (math.Pow(b, -theta-p) - math.Pow(a, -theta-p)) }
	return integral + (f(a)+f(b))/2 +
		d(c1, 1)/12 - // B2/2! = 1/12
		d(c3, 3)/720 + // B4/4! = -1/720
		d(c5, 5)/30240 // B6/6! = 1/30240
}
