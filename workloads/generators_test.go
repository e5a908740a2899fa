package workloads

import (
	"math"
	"sync"
	"testing"
)

// chiSquare returns Σ (observed − expected)² / expected for equally likely buckets.
func chiSquare(counts []int, draws int) float64 {
	expected := float64(draws) / float64(len(counts))
	var x2 float64
	for _, c := range counts {
		d := float64(c) - expected
		x2 += d * d / expected
	}
	return x2
}

// chiSquareCritical is the χ² value with upper tail probability 10^-4 for df degrees of
// freedom, by Wilson and Hilferty's approximation (z = 3.719).
func chiSquareCritical(df int) float64 {
	k := float64(df)
	c := 1 - 2/(9*k) + 3.719*math.Sqrt(2/(9*k))
	return k * c * c * c
}

func TestUniformChiSquare(t *testing.T) {
	const buckets, draws = 1000, 1_000_000
	u := newUniform(5000, 5000+buckets-1)
	r := newRNG(5, 0, streamOps)
	counts := make([]int, buckets)
	for range draws {
		k := u.choose(&r, math.MaxInt64)
		if k < 5000 || k >= 5000+buckets {
			t.Fatalf("uniform draw %d outside [5000, %d)", k, 5000+buckets)
		}
		counts[k-5000]++
	}
	crit := chiSquareCritical(buckets - 1)
	if x2 := chiSquare(counts, draws); x2 > crit {
		t.Errorf("uniform: χ² = %.1f over %d buckets, critical value %.1f", x2, buckets, crit)
	}
	// The same test rejects a subtly biased generator: 1024 values folded onto 1000 buckets.
	clear(counts)
	for range draws {
		counts[r.int63n(1024)%buckets]++
	}
	if x2 := chiSquare(counts, draws); x2 <= crit {
		t.Errorf("χ² test accepted a biased generator (χ² = %.1f ≤ %.1f)", x2, crit)
	}
}

func TestHotspot(t *testing.T) {
	const draws = 200_000
	h := newHotspot(100, 1099, 0.2, 0.8) // hot set: [100, 300)
	r := newRNG(6, 0, streamOps)
	hot := 0
	for range draws {
		k := h.choose(&r, 0)
		if k < 100 || k > 1099 {
			t.Fatalf("hotspot draw %d outside [100, 1099]", k)
		}
		if k < 300 {
			hot++
		}
	}
	if f := float64(hot) / draws; math.Abs(f-0.8) > 0.005 {
		t.Errorf("hot set drawn %.4f of the time, want 0.8", f)
	}
	// Empty hot or cold sets fall back to the other (YCSB would divide by zero).
	for _, frac := range [][2]float64{{0, 0.8}, {1, 0.3}} {
		h := newHotspot(0, 9, frac[0], frac[1])
		for range 100 {
			if k := h.choose(&r, 0); k < 0 || k > 9 {
				t.Fatalf("hotspot %v: draw %d", frac, k)
			}
		}
	}
}

func TestSequentialThreadsInterleaveToYCSBOrder(t *testing.T) {
	const threads = 3
	var walks []*sequential
	for i := range int64(threads) {
		walks = append(walks, newSequential(10, 16, i, threads))
	}
	// Round-robin over the threads gives YCSB's single shared walk: 10, 11, …, 16, 10, …
	for step := range 21 {
		got := walks[step%threads].choose(nil, 0)
		if want := int64(10 + step%7); got != want {
			t.Fatalf("step %d: %d, want %d", step, got, want)
		}
	}
}

func TestExponentialPercentile(t *testing.T) {
	const records, draws = 100_000, 200_000
	const frac = 0.8571428571
	e := newExponential(95, records*frac)
	recent := int64(math.Floor(records * frac))
	r := newRNG(7, 0, streamOps)
	within := 0
	for range draws {
		k := e.choose(&r, records-1)
		if k > records-1 {
			t.Fatalf("exponential key %d past the limit", k)
		}
		if k > records-1-recent {
			within++
		}
	}
	// exponential.percentile=95 of draws fall in the newest exponential.frac of the records.
	if f := float64(within) / draws; math.Abs(f-0.95) > 0.005 {
		t.Errorf("%.4f of draws in the newest 85.7%%, want 0.95", f)
	}
}

func TestSkewedLatestFavoursNewest(t *testing.T) {
	const records, draws = 1000, 200_000
	s := newSkewedLatest(records - 1)
	r := newRNG(8, 0, streamOps)
	newest := 0
	for range draws {
		k := s.choose(&r, records-1)
		if k < 1 || k > records-1 {
			t.Fatalf("latest key %d outside [1, %d]", k, records-1)
		}
		if k >= records-10 {
			newest++
		}
	}
	// The newest 1% of records take about 40% of the reads (ζ(10)/ζ(999) with Gray's skew).
	if f := float64(newest) / draws; f < 0.35 {
		t.Errorf("newest 10 of %d records read %.3f of the time; latest should favour them", records, f)
	}
	// When the limit moves on, so does the hot spot.
	hits := 0
	for range 10_000 {
		if s.choose(&r, records+99) == records+99 {
			hits++
		}
	}
	if hits < 1000 {
		t.Errorf("newest record after growth drawn %d of 10000 times", hits)
	}
}

func TestOpChooser(t *testing.T) {
	c := newOpChooser(0.5, 0, 0.25, 0, 0.25)
	for _, tc := range []struct {
		u    float64
		want OpType
	}{{0, OpRead}, {0.4999, OpRead}, {0.5, OpInsert}, {0.7499, OpInsert}, {0.75, OpReadModifyWrite}, {0.99999, OpReadModifyWrite}} {
		if got := c.choose(tc.u); got != tc.want {
			t.Errorf("choose(%v) = %v, want %v", tc.u, got, tc.want)
		}
	}
	only := newOpChooser(0, 1, 0, 0, 0)
	if got := only.choose(0.999); got != OpUpdate {
		t.Errorf("single-op chooser gave %v", got)
	}
}

func TestOpTypeString(t *testing.T) {
	for op, want := range map[OpType]string{OpRead: "READ", OpUpdate: "UPDATE", OpInsert: "INSERT",
		OpReadModifyWrite: "READ-MODIFY-WRITE", OpScan: "SCAN", 9: "OpType(9)"} {
		if got := op.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", op, got, want)
		}
	}
}

func TestCounter(t *testing.T) {
	c := newCounter(7)
	if c.lastValue() != 6 || c.nextValue() != 7 || c.nextValue() != 8 || c.lastValue() != 8 {
		t.Errorf("counter does not count 7, 8 from 7")
	}
}

func TestAcknowledgedCounterOutOfOrder(t *testing.T) {
	c := newAcknowledgedCounter(100, 16)
	for range 5 {
		c.nextValue() // 100 … 104
	}
	steps := []struct {
		ack, limit int64
	}{{101, 99}, {103, 99}, {100, 101}, {102, 103}, {104, 104}}
	for _, s := range steps {
		if err := c.acknowledge(s.ack); err != nil {
			t.Fatalf("acknowledge(%d): %v", s.ack, err)
		}
		if got := c.lastValue(); got != s.limit {
			t.Fatalf("after acknowledging %d the limit is %d, want %d", s.ack, got, s.limit)
		}
	}
}

func TestAcknowledgedCounterMisuse(t *testing.T) {
	c := newAcknowledgedCounter(0, 4)
	for range 8 {
		c.nextValue()
	}
	for _, bad := range []int64{-1, 8, 100} {
		if err := c.acknowledge(bad); err == nil {
			t.Errorf("acknowledge(%d) of a value never handed out: no error", bad)
		}
	}
	if err := c.acknowledge(1); err != nil {
		t.Fatal(err)
	}
	if err := c.acknowledge(1); err == nil {
		t.Error("second acknowledge(1): no error")
	}
	if err := c.acknowledge(6); err == nil { // 0 is outstanding: 6 is past the window of 4
		t.Error("acknowledge past the window: no error")
	}
	if err := c.acknowledge(0); err != nil || c.lastValue() != 1 {
		t.Errorf("acknowledge(0): %v, limit %d", err, c.lastValue())
	}
	if err := c.acknowledge(0); err == nil {
		t.Error("acknowledge below the limit: no error")
	}
}

func TestAcknowledgedCounterConcurrent(t *testing.T) {
	const goroutines, each = 8, 5000
	c := newAcknowledgedCounter(1000, sharedAckWindow)
	var wg sync.WaitGroup
	for range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				v := c.nextValue()
				if l := c.lastValue(); l >= v {
					t.Errorf("limit %d already covers unacknowledged %d", l, v)
					return
				}
				if err := c.acknowledge(v); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if got, want := c.lastValue(), int64(1000+goroutines*each-1); got != want {
		t.Errorf("limit after all acknowledgements %d, want %d", got, want)
	}
}
