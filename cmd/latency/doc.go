// Command latency measures the paper's per-operation latency table (slide 15): Get 128B, Get 5KB,
// Set 128B, Set 5KB, Delete and Increment, one client thread, on each backend in turn, with mean,
// p50 and p99 per cell and the speedup of plib over memcached.
//
// Usage:
//
//	latency [-backends memcached,plib-pku,plib-nopku,memcached-unix,gomap,redis,redis-unix,lmdb] [-records 100000] [-samples 10000] [flags]
//
// A backend that is not registered in this build or cannot run here (no memcached binary, no
// PKU) is shown as a skipped column with the reason. The table goes to stdout with a caption
// stating how it was measured (clock cost, batching); CSV, Markdown and JSON copies go to
// -results. Exit status: 0 on success, 1 on failure, 2 for bad usage, 130 when interrupted.
package main
