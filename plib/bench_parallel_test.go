package plib

import (
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/plibcached/plibcached/workloads"
)

// BenchmarkParallel runs the paper's two mixes and Get/Set of 128-byte values through one
// Session per goroutine (b.RunParallel), keys drawn by YCSB's scrambled zipfian, without
// PKU: how the whole call path, trampoline and copies included, scales. Run with
// -cpu 1,2,4; with more goroutines than cores it measures contention, not scaling.
func BenchmarkParallel(b *testing.B) {
	const records = 200_000
	c, err := Open(filepath.Join(b.TempDir(), "seg"), Options{Size: 256 << 20, MaxItemSize: 4096, MaxClients: 64,
		ExpectedItems: records, Protection: ModeNoPKU})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	load, err := c.Session()
	if err != nil {
		b.Fatal(err)
	}
	key, val := make([]byte, 0, 64), make([]byte, 128)
	for i := int64(0); i < records; i++ {
		if err := load.Set(workloads.AppendKeyName(key[:0], i, 1, false), val, 0, 0); err != nil {
			b.Fatal(err)
		}
	}
	load.Close()
	for _, mix := range []struct {
		name string
		read float64
	}{{"get128", 1}, {"set128", 0}, {"readheavy", 0.95}, {"writeheavy", 0.5}} {
		b.Run(mix.name, func(b *testing.B) {
			w, err := workloads.NewCoreWorkload(workloads.Properties{
				"recordcount": fmt.Sprint(records), "requestdistribution": "zipfian",
				"readproportion": fmt.Sprint(mix.read), "updateproportion": fmt.Sprint(1 - mix.read),
				"insertproportion": "0",
			})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				s, err := c.Session()
				if err != nil {
					b.Error(err)
					return
				}
				defer s.Close()
				th := w.NewThread(int(s.slot), 64, 1)
				key, buf := make([]byte, 0, 64), make([]byte, 256)
				for pb.Next() {
					op := th.Next()
					key = w.KeyName(key[:0], op.KeyNum)
					if op.Type == workloads.OpRead {
						_, err = s.GetInto(key, buf)
					} else {
						err = s.Set(key, val, 0, 0)
					}
					if err != nil && !errors.Is(err, ErrCacheMiss) {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}
