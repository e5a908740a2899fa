// Command ycsb runs a YCSB core workload against one backend and prints YCSB's report.
//
// Usage:
//
//	ycsb load|run|loadrun -db NAME -P workloads/workloadb [-P file]... [-p name=value]... [-threads N] [flags]
//
// load inserts recordcount records; run drives the operation mix; loadrun does both in one
// process and prints both reports. The backends here start empty in every process (a
// harness-started memcached, the gomap), so run against one of them loads first, says so on
// stderr, and reports only the run: use loadrun to see the load's figures too. A backend whose
// contents persist between processes (harness.Persistent) is run without loading.
//
// The report on stdout is YCSB's ("[OVERALL], RunTime(ms), ...", "[READ], 99thPercentileLatency(us), ...");
// progress, notices and warnings go to stderr. Results are also written as JSON and CSV into
// -results (default results/). Exit status: 0 on success, 1 when the benchmark fails, 2 for bad
// usage, 130 when interrupted (the memcached it started is stopped either way).
package main
