// Package evaluation runs the paper's evaluation end to end and renders it: the throughput
// figures (slide 14: the read-heavy and write-heavy YCSB mixes, 128-byte items, 40M records,
// client threads swept, four systems) and the latency table (slide 15), then tables and figures
// drawn from the files written, never from memory.
//
// It sits on top of the benchmark layers:
//
//	cmd/reproduce  flags -> Config -> Run            (make reproduce, make reproduce-quick)
//	cmd/plots      LoadDataset -> WriteTables, RenderPlots   (make plots)
//	evaluation     plan (records, threads), sweeps, latency table, manifest, tables, figures
//	harness        backends, load and run phases, results files, latency table
//	plots          figure data -> PNG and SVG
//
// # A run
//
// Run first plans: the thread sweep (the paper's 1..40, capped at twice this machine's cores
// unless given, and the cap said), and the record count (the paper's 40M when the largest
// system's estimated footprint fits in 80% of MemAvailable, else the largest round figure that
// does, said loudly on the console, in manifest.json and in every result's notes). Then, one
// system at a time, it loads the records once (harness.Benchmark.LoadFast: pipelined for
// memcached) and runs every mix, repetition and thread count on that one loaded store
// (harness.Benchmark.Derive), each run duration-bounded after a warm-up. The latency table
// follows (harness.MeasureLatency). Systems that cannot run here (no PKU, no memcached binary)
// are skipped with the reason recorded; everything else proceeds.
//
// A run's directory, results/<name>/, holds manifest.json (the plan, the environment, skip
// reasons, warnings, phase times), throughput/<system>/ycsb-{load,run}-*.{json,csv} (one harness
// result per run, with its histograms and environment), latency/latency-*.{json,csv,md}, and the
// rendered summary.md and throughput.csv. Its figures go to plots/<name>/.
//
// # Caveats
//
// Absolute figures depend on the machine and on whatever else runs on it: on a shared or
// virtualised machine compare ratios measured in one run, not figures across runs. Both memcached
// systems run on the same cores as their clients, as in the paper, so a small machine's memcached
// competes with its own load generator.
package evaluation
