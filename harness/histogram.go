package harness

import (
	"fmt"
	"math"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// Latencies are recorded in nanoseconds, from 1 ns to one minute, to three significant digits
// (YCSB's precision; nanoseconds because in-process operations take well under a microsecond).
const (
	histogramLowest  = 1
	histogramHighest = int64(time.Minute)
	histogramDigits  = 3
)

// opRecorder accumulates one operation type's latencies for one worker. It keeps the exact count,
// sum, min and max besides the histogram, whose mean and extremes are bucket approximations.
type opRecorder struct {
	hist     *hdrhistogram.Histogram
	count    int64 // completed operations, NotFound included
	notFound int64
	sumNs    int64
	minNs    int64
	maxNs    int64
}

func newOpRecorder() *opRecorder {
	return &opRecorder{
		hist:  hdrhistogram.New(histogramLowest, histogramHighest, histogramDigits),
		minNs: math.MaxInt64,
	}
}

// record adds one latency; values past the histogram's range are clamped into it.
func (r *opRecorder) record(d time.Duration, notFound bool) {
	ns := max(int64(d), histogramLowest)
	r.count++
	r.sumNs += ns
	r.minNs = min(r.minNs, ns)
	r.maxNs = max(r.maxNs, ns)
	if notFound {
		r.notFound++
	}
	r.hist.RecordValue(min(ns, histogramHighest)) //nolint:errcheck // clamped into range
}

// merge folds other into r.
func (r *opRecorder) merge(other *opRecorder) {
	r.count += other.count
	r.notFound += other.notFound
	r.sumNs += other.sumNs
	r.minNs = min(r.minNs, other.minNs)
	r.maxNs = max(r.maxNs, other.maxNs)
	r.hist.Merge(other.hist)
}

// stats summarises r as an OpStats named name, with the histogram encoded for later merges.
func (r *opRecorder) stats(name string) (OpStats, error) {
	encoded, err := r.hist.Encode(hdrhistogram.V2CompressedEncodingCookieBase)
	if err != nil {
		return OpStats{}, fmt.Errorf("encode %s histogram: %w", name, err)
	}
	s := OpStats{
		Name:      name,
		Count:     r.count,
		OK:        r.count - r.notFound,
		NotFound:  r.notFound,
		SumNs:     r.sumNs,
		Histogram: string(encoded),
	}
	if r.count > 0 {
		s.MinNs, s.MaxNs = r.minNs, r.maxNs
		s.MeanUs = float64(r.sumNs) / float64(r.count) / 1e3
		s.MinUs, s.MaxUs = float64(r.minNs)/1e3, float64(r.maxNs)/1e3
		s.P50Us = float64(r.hist.ValueAtPercentile(50)) / 1e3
		s.P95Us = float64(r.hist.ValueAtPercentile(95)) / 1e3
		s.P99Us = float64(r.hist.ValueAtPercentile(99)) / 1e3
		s.P999Us = float64(r.hist.ValueAtPercentile(99.9)) / 1e3
	}
	return s, nil
}

// recorderFromStats rebuilds a recorder from a serialised OpStats, for merging.
func recorderFromStats(s OpStats) (*opRecorder, error) {
	hist, err := hdrhistogram.Decode([]byte(s.Histogram))
	if err != nil {
		return nil, fmt.Errorf("decode %s histogram: %w", s.Name, err)
	}
	r := &opRecorder{hist: hist, count: s.Count, notFound: s.NotFound, sumNs: s.SumNs, minNs: s.MinNs, maxNs: s.MaxNs}
	if s.Count == 0 {
		r.minNs = math.MaxInt64
	}
	return r, nil
}
