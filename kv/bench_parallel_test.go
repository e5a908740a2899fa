package kv

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/plibcached/plibcached/workloads"
)

// BenchmarkParallel measures the store under b.RunParallel, one client slot per goroutine,
// with YCSB's key choice (the scrambled zipfian of the paper's mixes, and uniform): Get
// and Set of 128-byte values and the paper's read-heavy (95/5) and write-heavy (50/50)
// mixes over parallelRecords records. Run with -cpu 1,2,4 to see how it scales; on a
// machine with fewer cores than goroutines the figures measure contention, not scaling.
// Besides ns/op it reports, per kind of lock, the contended acquisitions per operation.
func BenchmarkParallel(b *testing.B) {
	s := parallelStore(b)
	for _, dist := range []string{"zipfian", "uniform"} {
		for _, mix := range []struct {
			name string
			read float64
		}{{"get128", 1}, {"set128", 0}, {"readheavy", 0.95}, {"writeheavy", 0.5}} {
			b.Run(dist+"/"+mix.name, func(b *testing.B) {
				w := parallelWorkload(b, dist, mix.read)
				var nextSlot atomic.Uint32
				before := s.Stats().Contention
				b.ReportAllocs()
				b.RunParallel(func(pb *testing.PB) {
					slot := Slot(nextSlot.Add(1) - 1)
					th := w.NewThread(int(slot), 64, 1)
					key, buf, val := make([]byte, 0, 64), make([]byte, 256), make([]byte, 128)
					for pb.Next() {
						op := th.Next()
						key = w.KeyName(key[:0], op.KeyNum)
						var err error
						if op.Type == workloads.OpRead {
							_, err = s.Get(slot, key, buf)
						} else {
							_, err = s.Set(slot, key, val, 0, 0)
						}
						if err != nil && !errors.Is(err, ErrNotFound) {
							b.Error(err)
							return
						}
					}
				})
				after := s.Stats().Contention
				for kind := range after {
					if n := after[kind].Contended - before[kind].Contended; n > 0 {
						b.ReportMetric(float64(n)/float64(b.N), after[kind].Kind+"-waits/op")
					}
				}
			})
		}
	}
}

const parallelRecords = 1_000_000

var (
	parallelOnce   sync.Once
	parallelShared *Store
)

func parallelStore(b *testing.B) *Store {
	parallelOnce.Do(func() {
		s, err := Format(alignedRegion(512<<20), Config{ExpectedItems: parallelRecords}, Options{})
		if err != nil {
			b.Fatal(err)
		}
		w := parallelWorkload(b, "uniform", 1)
		key, val := make([]byte, 0, 64), make([]byte, 128)
		for i := int64(0); i < parallelRecords; i++ {
			if _, err := s.Set(0, w.KeyName(key[:0], i), val, 0, 0); err != nil {
				b.Fatal(err)
			}
		}
		parallelShared = s
	})
	return parallelShared
}

func parallelWorkload(b *testing.B, dist string, read float64) *workloads.CoreWorkload {
	w, err := workloads.NewCoreWorkload(workloads.Properties{
		"recordcount": fmt.Sprint(parallelRecords), "requestdistribution": dist,
		"readproportion": fmt.Sprint(read), "updateproportion": fmt.Sprint(1 - read),
		"insertproportion": "0", "fieldcount": "1", "fieldlength": "128",
	})
	if err != nil {
		b.Fatal(err)
	}
	return w
}
