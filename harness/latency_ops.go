package harness

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"time"

	"github.com/plibcached/plibcached/workloads"
)

// latencyOp is one row of the latency table on one backend. Each timed batch is prepared
// untimed (keys chosen, values built), run timed (backend calls only), then checked untimed.
type latencyOp interface {
	name() string
	prepare(k int)
	run(k int) error
	check(k int) error
	finish() error // after the cell: checks over the whole cell
}

// buffers holds one key and one value buffer per operation of a batch.
type buffers struct {
	keys, values [][]byte
}

func newBuffers(n int) buffers {
	return buffers{keys: make([][]byte, n), values: make([][]byte, n)}
}

// LatencyCell is one operation on one backend.
type LatencyCell struct {
	Op      string  `json:"op"`
	Batch   int     `json:"batch"`   // operations per timed interval: 1, or the batch size
	Samples int     `json:"samples"` // timed intervals
	MeanNs  float64 `json:"mean_ns"` // mean per operation, clock cost subtracted
	P50Ns   float64 `json:"p50_ns"`  // over samples: single operations, or batch means when Batch > 1
	P99Ns   float64 `json:"p99_ns"`
	MinNs   float64 `json:"min_ns"`
	MaxNs   float64 `json:"max_ns"`
}

// Method says how the cell was timed.
func (c LatencyCell) Method() string {
	if c.Batch > 1 {
		return "batches of " + strconv.Itoa(c.Batch)
	}
	return "single operations"
}

// measureCell warms op up, pilots it to choose single or batched timing, and takes the samples.
func measureCell(op latencyOp, opts LatencyOptions, clock ClockCost) (LatencyCell, error) {
	runtime.GC() // not inside the samples, as far as one can help it
	for done := 0; done < latencyWarmupOps; done += latencyPilotOps {
		if _, err := timeBatch(op, latencyPilotOps); err != nil {
			return LatencyCell{}, err
		}
	}
	pilot, err := timeBatch(op, latencyPilotOps)
	if err != nil {
		return LatencyCell{}, err
	}
	batch := 1
	if (float64(pilot)-clock.MedianNs)/latencyPilotOps < float64(opts.BatchBelow) {
		batch = opts.BatchSize
	}
	samples := make([]float64, opts.Samples)
	for i := range samples {
		d, err := timeBatch(op, batch)
		if err != nil {
			return LatencyCell{}, err
		}
		samples[i] = max(float64(d)-clock.MedianNs, 0) / float64(batch)
	}
	return summarise(op.name(), batch, samples), nil
}

// timeBatch prepares, times and checks k operations.
func timeBatch(op latencyOp, k int) (time.Duration, error) {
	op.prepare(k)
	start := time.Now()
	err := op.run(k)
	elapsed := time.Since(start)
	if err != nil {
		return 0, err
	}
	return elapsed, op.check(k)
}

// summarise computes a cell's statistics from its per-operation samples.
func summarise(name string, batch int, samples []float64) LatencyCell {
	var sum float64
	for _, s := range samples {
		sum += s
	}
	slices.Sort(samples)
	at := func(q float64) float64 { return samples[min(int(q*float64(len(samples))), len(samples)-1)] }
	return LatencyCell{Op: name, Batch: batch, Samples: len(samples), MeanNs: sum / float64(len(samples)),
		P50Ns: at(0.50), P99Ns: at(0.99), MinNs: samples[0], MaxNs: samples[len(samples)-1]}
}

// getOp reads random preloaded keys and verifies every value read.
type getOp struct {
	label  string
	w      Worker
	rng    *rand.Rand
	prefix string
	n      int64
	buffers
}

func (o *getOp) name() string { return o.label }

func (o *getOp) prepare(k int) {
	for j := 0; j < k; j++ {
		o.keys[j] = appendKey(o.keys[j][:0], o.prefix, o.rng.Int64N(o.n))
	}
}

func (o *getOp) run(k int) error {
	for j := 0; j < k; j++ {
		v, err := o.w.Get(o.keys[j], o.values[j])
		if err != nil {
			return getError(o.keys[j], err)
		}
		o.values[j] = v
	}
	return nil
}

func (o *getOp) check(k int) error {
	for j := 0; j < k; j++ {
		if err := workloads.VerifyValue(o.keys[j], o.values[j]); err != nil {
			return fmt.Errorf("%w: key %q: %w", ErrCorruptRead, o.keys[j], err)
		}
	}
	return nil
}

func (o *getOp) finish() error { return nil }

// getError explains a failed read of a key that must exist.
func getError(key []byte, err error) error {
	if errors.Is(err, ErrNotFound) {
		return fmt.Errorf("get %q: %w", key, errMissing)
	}
	return fmt.Errorf("get %q: %w", key, err)
}

// setOp overwrites random preloaded keys with new versions of their values, which stay valid
// for later reads.
type setOp struct {
	label   string
	w       Worker
	rng     *rand.Rand
	prefix  string
	n       int64
	maker   *workloads.CoreWorkload
	version uint64
	buffers
}

func (o *setOp) name() string { return o.label }

func (o *setOp) prepare(k int) {
	for j := 0; j < k; j++ {
		o.version++
		o.keys[j] = appendKey(o.keys[j][:0], o.prefix, o.rng.Int64N(o.n))
		o.values[j] = o.maker.LoadValue(o.values[j][:0], o.keys[j], o.version)
	}
}

func (o *setOp) run(k int) error {
	for j := 0; j < k; j++ {
		if err := o.w.Set(o.keys[j], o.values[j]); err != nil {
			return fmt.Errorf("set %q: %w", o.keys[j], err)
		}
	}
	return nil
}

func (o *setOp) check(int) error { return nil }
func (o *setOp) finish() error   { return nil }

// deleteOp deletes preloaded keys, each once, in order: never a missing key.
type deleteOp struct {
	w    Worker
	n    int64
	next int64
	buffers
}

func (o *deleteOp) name() string { return "Delete" }

func (o *deleteOp) prepare(k int) {
	for j := 0; j < k; j++ {
		o.keys[j] = appendKey(o.keys[j][:0], prefixDelete, o.next)
		o.next++
	}
}

func (o *deleteOp) run(k int) error {
	for j := 0; j < k; j++ {
		if err := o.w.Delete(o.keys[j]); err != nil {
			return fmt.Errorf("delete %q: %w", o.keys[j], err)
		}
	}
	return nil
}

func (o *deleteOp) check(k int) error {
	if o.next > o.n {
		return fmt.Errorf("deleted past the %d preloaded keys", o.n) // a sizing bug, not the backend's
	}
	return nil
}

// finish checks that the last key deleted is gone.
func (o *deleteOp) finish() error {
	key := appendKey(nil, prefixDelete, o.next-1)
	if _, err := o.w.Get(key, nil); !errors.Is(err, ErrNotFound) {
		return fmt.Errorf("get %q after its delete: %v, want a miss", key, err)
	}
	return nil
}

// incrOp increments random counters by one; finish checks that the counters add up.
type incrOp struct {
	w       Worker
	rng     *rand.Rand
	n       int64
	total   uint64
	results []uint64
	buffers
}

func (o *incrOp) name() string { return "Increment" }

func (o *incrOp) prepare(k int) {
	for j := 0; j < k; j++ {
		o.keys[j] = appendKey(o.keys[j][:0], prefixCounter, o.rng.Int64N(o.n))
	}
}

func (o *incrOp) run(k int) error {
	for j := 0; j < k; j++ {
		v, err := o.w.Incr(o.keys[j], 1)
		if err != nil {
			return fmt.Errorf("incr %q: %w", o.keys[j], err)
		}
		o.results[j] = v
	}
	return nil
}

func (o *incrOp) check(k int) error {
	for j := 0; j < k; j++ {
		if o.results[j] == 0 {
			return fmt.Errorf("incr %q returned 0", o.keys[j])
		}
	}
	o.total += uint64(k)
	return nil
}

// finish reads every counter: their sum must be the number of increments.
func (o *incrOp) finish() error {
	var sum uint64
	var key, value []byte
	for i := int64(0); i < o.n; i++ {
		key = appendKey(key[:0], prefixCounter, i)
		v, err := o.w.Get(key, value)
		if err != nil {
			return getError(key, err)
		}
		value = v
		n, err := strconv.ParseUint(string(v), 10, 64)
		if err != nil {
			return fmt.Errorf("%w: counter %q holds %q", ErrCorruptRead, key, v)
		}
		sum += n
	}
	if sum != o.total {
		return fmt.Errorf("%w: counters add up to %d after %d increments", ErrCorruptRead, sum, o.total)
	}
	return nil
}
