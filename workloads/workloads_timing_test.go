package workloads

import "testing"

// Timing benchmarks, apart from the correctness tests: `go test -run '^$' -bench . ./workloads/`.

// BenchmarkNext measures choosing one operation (type and record) for each request
// distribution; the budget is 100 ns and no allocation.
func BenchmarkNext(b *testing.B) {
	for _, bc := range []struct{ name, file string }{
		{"zipfian-40M/paper-readheavy", "paper-readheavy"},
		{"zipfian-40M/paper-writeheavy", "paper-writeheavy"},
		{"zipfian/workloada", "workloada"},
		{"latest/workloadd", "workloadd"},
		{"uniform", "paper-readheavy,requestdistribution=uniform"},
		{"hotspot", "paper-readheavy,requestdistribution=hotspot"},
		{"sequential", "paper-readheavy,requestdistribution=sequential"},
		{"exponential", "paper-readheavy,requestdistribution=exponential"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			file, override, _ := cut(bc.file)
			var overrides []string
			if override != "" {
				overrides = []string{override}
			}
			w := mustBuiltin(b, file, overrides...)
			th := w.NewThread(0, 1, 1)
			b.ReportAllocs()
			var sink int64
			for b.Loop() {
				op := th.Next()
				if op.Type == OpInsert {
					th.Acknowledge(op.KeyNum)
				}
				sink += op.KeyNum
			}
			_ = sink
		})
	}
}

// cut splits "file,override".
func cut(s string) (file, override string, ok bool) {
	for i := range s {
		if s[i] == ',' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// BenchmarkNextAndKey adds naming the key to choosing the operation.
func BenchmarkNextAndKey(b *testing.B) {
	w := mustBuiltin(b, "paper-readheavy")
	th := w.NewThread(0, 1, 1)
	key := make([]byte, 0, w.MaxKeySize())
	b.ReportAllocs()
	for b.Loop() {
		key = w.KeyName(key[:0], th.Next().KeyNum)
	}
}

// BenchmarkValue measures making and verifying the paper's two item sizes.
func BenchmarkValue(b *testing.B) {
	for _, size := range []string{"128", "5120"} {
		w := mustBuiltin(b, "paper-readheavy", "fieldlength="+size)
		th := w.NewThread(0, 1, 1)
		key := w.KeyName(nil, 7)
		buf := make([]byte, 0, w.MaxValueSize())
		b.Run("make/"+size, func(b *testing.B) {
			b.SetBytes(int64(w.MaxValueSize()))
			b.ReportAllocs()
			for b.Loop() {
				buf = th.Value(buf[:0], key, 1)
			}
		})
		b.Run("verify/"+size, func(b *testing.B) {
			buf = th.Value(buf[:0], key, 1)
			b.SetBytes(int64(len(buf)))
			b.ReportAllocs()
			for b.Loop() {
				if VerifyValue(key, buf) != nil {
					b.Fatal("bad value")
				}
			}
		})
	}
}

// BenchmarkNewCoreWorkload measures setting up the paper's 40M-record workload and a thread
// of YCSB's latest distribution over 40M records (ζ over 40M items).
func BenchmarkNewCoreWorkload(b *testing.B) {
	p, _, err := LoadProperties([]string{"paper-readheavy"}, []string{"requestdistribution=latest"})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		w, err := NewCoreWorkload(p)
		if err != nil {
			b.Fatal(err)
		}
		w.NewThread(0, 1, 1)
	}
}
