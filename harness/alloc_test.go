package harness_test

import (
	"testing"

	"github.com/plibcached/plibcached/harness"
)

// TestGomapAllocationFree checks the in-process floor's steady-state paths allocate nothing: a
// floor that allocated would charge the Go allocator to every comparison made against it.
func TestGomapAllocationFree(t *testing.T) {
	b := openOrSkip(t, "gomap", harness.Config{RecordCount: 10, MaxKeySize: 16, MaxValueSize: 128})
	w, err := b.NewWorker()
	if err != nil {
		t.Fatal(err)
	}
	key, counter, value := []byte("alloc:key"), []byte("alloc:counter"), make([]byte, 128)
	if err := w.Set(key, value); err != nil {
		t.Fatal(err)
	}
	if err := w.Set(counter, []byte("1")); err != nil {
		t.Fatal(err)
	}
	dst := make([]byte, 0, 128)
	ops := map[string]func(){
		"Get":           func() { dst, _ = w.Get(key, dst) },
		"Set overwrite": func() { w.Set(key, value) },
		"Incr":          func() { w.Incr(counter, 1) },
	}
	for name, op := range ops {
		if allocs := testing.AllocsPerRun(100, op); allocs != 0 {
			t.Errorf("gomap %s: %.1f allocations per call, want 0", name, allocs)
		}
	}
}

// BenchmarkBackends runs one body over every backend: Get and Set of 128-byte values.
func BenchmarkBackends(b *testing.B) {
	for _, name := range testedBackends {
		b.Run(name, func(b *testing.B) {
			backend, err := harness.Open(name, harness.Config{RecordCount: 1000, MaxKeySize: 16, MaxValueSize: 128, Workers: 1})
			if err != nil {
				b.Skipf("%s: %v", name, err)
			}
			defer backend.Close()
			w, err := backend.NewWorker()
			if err != nil {
				b.Fatal(err)
			}
			defer w.Close()
			key, value := []byte("bench:key"), make([]byte, 128)
			if err := w.Set(key, value); err != nil {
				b.Fatal(err)
			}
			b.Run("Get128B", func(b *testing.B) {
				b.ReportAllocs()
				dst := make([]byte, 0, 128)
				for b.Loop() {
					if dst, err = w.Get(key, dst); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("Set128B", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if err := w.Set(key, value); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}
