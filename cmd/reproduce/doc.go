// Command reproduce runs the paper's evaluation end to end and renders it: the throughput sweeps
// (read-heavy and write-heavy YCSB mixes; memcached with 4 and with 8 server threads, plib without
// and with PKU, and two context lines), the latency table, then tables and figures drawn from the
// files written.
//
// Usage:
//
//	reproduce [-quick] [-run NAME] [-records N] [-threads 1,2,4|paper] [-reps N] [-duration D] [flags]
//
// `make reproduce` runs it with its defaults (the paper's 40M records when they fit, else a
// scaled-down count said loudly; the thread sweep capped at twice the cores, said); `make
// reproduce-quick` runs -quick (1M records, short runs). Raw results and metadata go to
// results/NAME/, tables to results/NAME/summary.md and throughput.csv, figures to plots/NAME/.
// The report and a line per measured point go to stdout; load progress goes to stderr.
// Exit status: 0 on success, 1 when the evaluation fails, 2 for bad usage, 130 when interrupted
// (the servers it started are stopped either way).
package main
