package harness_test

import (
	"context"
	"fmt"
	"os"

	"github.com/plibcached/plibcached/harness"
	"github.com/plibcached/plibcached/workloads"
)

// A benchmark: prepare (validate, size, open the backend), load, run, report.
func ExamplePrepare() {
	props, _, err := workloads.LoadProperties([]string{"workloadb"}, []string{"recordcount=10000", "operationcount=100000"})
	if err != nil {
		fmt.Println(err)
		return
	}
	bench, err := harness.Prepare(harness.Options{Backend: "memcached", Properties: props, Workload: "workloadb", Threads: 4, ServerThreads: 4})
	if err != nil {
		fmt.Println(err) // unknown backend, no memcached, will not fit in memory, bad properties
		return
	}
	defer bench.Close() // stops the memcached it started
	if _, err := bench.Load(context.Background()); err != nil {
		fmt.Println(err)
		return
	}
	result, err := bench.Run(context.Background())
	if err != nil {
		fmt.Println(err) // a corrupt read, a backend error, or the context's cause
		return
	}
	harness.WriteYCSBReport(os.Stdout, result)
	harness.WriteResultFiles("results", result)
}

// The latency table over a list of backends; unavailable ones become skipped columns.
func ExampleMeasureLatency() {
	table, err := harness.MeasureLatency(context.Background(), harness.LatencyOptions{
		Backends: []string{"memcached", "plib-pku", "plib-nopku", "gomap"},
		Records:  100000,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	table.Render(os.Stdout)
	harness.WriteLatencyFiles("results", table)
}

// Results of the processes of one multi-process run merge into one.
func ExampleMergeResults() {
	var parts []*harness.Result
	for _, path := range []string{"results/p0.json", "results/p1.json"} {
		f, err := os.Open(path)
		if err != nil {
			fmt.Println(err)
			return
		}
		r, err := harness.ReadResultJSON(f)
		f.Close()
		if err != nil {
			fmt.Println(err)
			return
		}
		parts = append(parts, r)
	}
	merged, err := harness.MergeResults(parts)
	if err != nil {
		fmt.Println(err)
		return
	}
	harness.WriteYCSBReport(os.Stdout, merged)
}
