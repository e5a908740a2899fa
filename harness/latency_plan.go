package harness

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/plibcached/plibcached/workloads"
)

// minLatencyValue is the smallest value the latency table can use: a checksummed value's header.
const minLatencyValue = workloads.MinValueSize

// Untimed operations before each cell (warm-up), and the size of the pilot batch that decides
// whether the cell is timed per operation or per batch.
const (
	latencyWarmupOps = 256
	latencyPilotOps  = 64
	preloadWorkers   = 4
	latencyKeySize   = 24
)

// Key prefixes of the latency table's key sets: 128 B values, 5 KB values, keys to delete,
// counters. Distinct prefixes keep the sets apart in one store.
const (
	prefixSmall   = "lat:s:"
	prefixLarge   = "lat:l:"
	prefixDelete  = "lat:d:"
	prefixCounter = "lat:c:"
)

// latencyPlan is what the latency table stores and how it makes values.
type latencyPlan struct {
	opts         LatencyOptions
	small, large *workloads.CoreWorkload // value makers: one field of SmallValue / LargeValue bytes
	deletes      int64                   // keys preloaded for Delete: enough for every sample batched
}

func newLatencyPlan(opts LatencyOptions) *latencyPlan {
	return &latencyPlan{
		opts:    opts,
		small:   valueMaker(opts.SmallValue),
		large:   valueMaker(opts.LargeValue),
		deletes: int64(latencyWarmupOps + latencyPilotOps + opts.Samples*max(opts.BatchSize, 1)),
	}
}

// valueMaker returns a workload whose values are exactly size bytes.
func valueMaker(size int) *workloads.CoreWorkload {
	w, err := workloads.NewCoreWorkload(workloads.Properties{
		"recordcount": "1", "fieldcount": "1", "fieldlength": strconv.Itoa(size), "fieldlengthdistribution": "constant",
	})
	if err != nil {
		panic("harness: latency value maker: " + err.Error()) // fixed, valid properties
	}
	return w
}

// preloadCount is the number of records preloaded.
func (p *latencyPlan) preloadCount() int64 {
	return p.opts.Records + p.opts.LargeRecords + p.deletes + int64(p.opts.Counters)
}

// config sizes the backend for the preloaded records.
func (p *latencyPlan) config(opts LatencyOptions) Config {
	n := p.preloadCount()
	bytes := (opts.Records+p.deletes)*int64(opts.SmallValue) + opts.LargeRecords*int64(opts.LargeValue) + int64(opts.Counters)*20
	return Config{
		RecordCount:     n,
		MaxKeySize:      latencyKeySize,
		MaxValueSize:    opts.LargeValue,
		MeanValueSize:   int(bytes/n) + 1,
		Workers:         preloadWorkers + 1,
		ServerThreads:   opts.ServerThreads,
		MemcachedBinary: opts.MemcachedBinary,
		Log:             opts.Log,
	}
}

// record returns the key and value of preloaded record i (small, large, delete, counter sets in
// that order), appended to the given buffers.
func (p *latencyPlan) record(i int64, key, value []byte) ([]byte, []byte) {
	o := p.opts
	switch {
	case i < o.Records:
		key = appendKey(key[:0], prefixSmall, i)
		return key, p.small.LoadValue(value[:0], key, 0)
	case i < o.Records+o.LargeRecords:
		key = appendKey(key[:0], prefixLarge, i-o.Records)
		return key, p.large.LoadValue(value[:0], key, 0)
	case i < o.Records+o.LargeRecords+p.deletes:
		key = appendKey(key[:0], prefixDelete, i-o.Records-o.LargeRecords)
		return key, p.small.LoadValue(value[:0], key, 0)
	}
	return appendKey(key[:0], prefixCounter, i-o.Records-o.LargeRecords-p.deletes), append(value[:0], '0')
}

// appendKey appends prefix and n in decimal.
func appendKey(dst []byte, prefix string, n int64) []byte {
	return strconv.AppendInt(append(dst, prefix...), n, 10)
}

// preload stores every record with preloadWorkers workers.
func (p *latencyPlan) preload(ctx context.Context, b Backend, progressTo io.Writer) error {
	total := p.preloadCount()
	var next, done atomic.Int64
	prog := newProgress(progressTo, 0, "preload "+b.Name(), "records", total, 0, done.Load)
	prog.begin(time.Now())
	errs := make(chan error, preloadWorkers)
	var wg sync.WaitGroup
	for range preloadWorkers {
		w, err := b.NewWorker()
		if err != nil {
			return err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer w.Close()
			var key, value []byte
			for i := next.Add(1) - 1; i < total && ctx.Err() == nil; i = next.Add(1) - 1 {
				key, value = p.record(i, key, value)
				if err := w.Set(key, value); err != nil {
					errs <- fmt.Errorf("set %q: %w", key, err)
					return
				}
				done.Add(1)
			}
		}()
	}
	wg.Wait()
	close(errs)
	err := <-errs
	if err == nil && ctx.Err() != nil {
		err = fmt.Errorf("latency interrupted: %w", context.Cause(ctx))
	}
	prog.finish(err == nil)
	return err
}

// operations returns the table's rows as measurable operations on w, in LatencyOperations order.
func (p *latencyPlan) operations(w Worker) []latencyOp {
	o := p.opts
	rng := rand.New(rand.NewPCG(uint64(o.Seed), 0x6c6174656e6379))
	size := max(o.BatchSize, latencyPilotOps)
	return []latencyOp{
		&getOp{label: "Get 128B", w: w, rng: rng, prefix: prefixSmall, n: o.Records, buffers: newBuffers(size)},
		&getOp{label: "Get 5KB", w: w, rng: rng, prefix: prefixLarge, n: o.LargeRecords, buffers: newBuffers(size)},
		&setOp{label: "Set 128B", w: w, rng: rng, prefix: prefixSmall, n: o.Records, maker: p.small, buffers: newBuffers(size)},
		&setOp{label: "Set 5KB", w: w, rng: rng, prefix: prefixLarge, n: o.LargeRecords, maker: p.large, buffers: newBuffers(size)},
		&deleteOp{w: w, n: p.deletes, buffers: newBuffers(size)},
		&incrOp{w: w, rng: rng, n: int64(o.Counters), buffers: newBuffers(size), results: make([]uint64, size)},
	}
}

// errMissing reports a key the table preloaded and did not delete that is not there.
var errMissing = errors.New("preloaded key missing (evicted?)")
