// Command plots regenerates a run's tables and figures from its raw results: results/NAME/ ->
// results/NAME/summary.md, throughput.csv and plots/NAME/*.png, *.svg. Every figure in plots/ is
// made by this command; none is edited by hand.
//
// Usage:
//
//	plots [-run NAME]... [-results DIR] [-plots DIR]
//
// Without -run it regenerates every run found under -results (a directory with a manifest.json
// or results in it). Exit status: 0 on success, 1 on failure, 2 for bad usage.
package main
