package main

import (
	"fmt"
	"io"
	"sort"
)

// median is the median of f over xs.
func median(xs []sample, f func(sample) float64) float64 {
	v := make([]float64, len(xs))
	for i, x := range xs {
		v[i] = f(x)
	}
	sort.Float64s(v)
	return v[len(v)/2]
}

// report prints one table: per mix and connection count, each server's median
// throughput and p99s and plibd's ratios (throughput: higher is better; p99: lower).
func report(w io.Writer, o options, cells []cell) {
	fmt.Fprintf(w, "\nplibd beside memcached over loopback TCP: %d records, 128 B values, zipfian; memcached -t %d, plibd -procs %d (GOMAXPROCS and event loops); medians of %d alternating rounds of %v\n\n",
		o.records, o.serverThreads, o.serverThreads, o.rounds, o.duration)
	fmt.Fprintf(w, "| mix | conns | memcached kops/s | plibd kops/s | throughput ratio | read p99 µs mc / plibd | ratio | update p99 µs mc / plibd | ratio |\n")
	fmt.Fprintf(w, "|---|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	kops := func(s sample) float64 { return s.kops }
	rp := func(s sample) float64 { return s.readP99 }
	up := func(s sample) float64 { return s.updateP99 }
	for _, c := range cells {
		m, p := c.res["memcached"], c.res["plibd"]
		fmt.Fprintf(w, "| %s | %d | %.1f | %.1f | %.2fx | %.0f / %.0f | %.2fx | %.0f / %.0f | %.2fx |\n",
			c.mix, c.conns, median(m, kops), median(p, kops), median(p, kops)/median(m, kops),
			median(m, rp), median(p, rp), median(p, rp)/median(m, rp),
			median(m, up), median(p, up), median(p, up)/median(m, up))
	}
}
