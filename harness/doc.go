// Package harness drives the systems under test through the same workloads: stock memcached over
// TCP and over a unix socket, plib with and without PKU, and a Go map in one process as the
// in-process floor; and, as context, what a user would pick instead: Redis over TCP and a unix
// socket (redis-server started like memcached, go-redis clients) and LMDB (a memory-mapped file
// under /dev/shm that processes share, through the cgo binding github.com/PowerDNS/lmdb-go).
//
// It sits between the thin mains (cmd/ycsb, cmd/latency) and everything they measure:
//
//	cmd/ycsb, cmd/latency  flags -> options -> harness -> printed report + results files
//	harness                Backend registry, memcached server manager, load and run phases,
//	                       per-operation HdrHistograms, environment capture, latency table
//	workloads              what to do: op mix, key choice, checksummed values
//
// # Backends
//
// A [Backend] is one system under test shared by all workers; each worker goroutine gets its own
// [Worker] (its own connection or client slot). Backends are registered by name with [Register]
// and opened with [Open], which passes a [Config] saying how many records of what size and how
// many workers to expect. Adding a backend is one file:
//
//	func init() { harness.Register("plib-pku", openPlibPKU, "plib with PKU trampolines") }
//
// where openPlibPKU sizes itself from the Config, refuses what will not fit with CheckMemory (an
// error wrapping ErrInsufficientMemory), and returns an error wrapping ErrUnavailable when it
// cannot run here (no PKU), so that tables show it as a skipped column. Backends whose contents
// outlive the process implement [Persistent]. Every backend should pass harness/backendtest.
//
// The memcached backends start their own server ([StartMemcached]): -t server threads, -m sized
// from the records ([MemcachedMemoryMB]), -M so that running out of memory is an error rather
// than a silent eviction, a free loopback port or a unix socket in a fresh temporary directory,
// readiness by probing. The server has its own process group and Pdeathsig SIGKILL, forked from
// a thread kept alive for its lifetime, so it dies with the harness even under SIGKILL; Close
// stops it in every other case. Each worker has its own gomemcache client and so exactly one
// connection.
//
// # Phases
//
// [Prepare] validates options and properties, opens the backend and captures the [Environment].
// [Benchmark.Load] inserts the records with T workers, showing a progress bar with rate and ETA
// on a terminal and plain periodic lines otherwise. [Benchmark.Run] drives a closed loop of T
// workers, each a goroutine locked to its OS thread, for operationcount operations or a
// duration, after an unrecorded warm-up. Only backend calls are timed. Every read is verified
// against the value's checksum; a failed check stops the run with an error wrapping
// ErrCorruptRead, and is never counted. Misses are counted (YCSB's Return=NOT_FOUND) and
// explained in the result's notes.
//
// Latencies go into one HdrHistogram per operation type and worker (nanoseconds, 3 significant
// digits), merged at the end, with exact count, sum, min and max kept beside them. A [Result]
// carries its histograms encoded, its environment and every workload property; it is written as
// JSON and CSV by [WriteResultFiles] and printed in YCSB's format by [WriteYCSBReport].
//
// A sweep loads once: [Benchmark.Derive] gives benchmarks on the same loaded backend with fewer
// threads, another mix over the same records, or other bounds, and [Benchmark.LoadFast] loads
// memcached over pipelined connections (tens of millions of records in a minute or two).
//
// # Several processes
//
// For P processes × T threads on one plib segment, each process prepares with Options.Processes
// = P, Threads = T, ThreadBase = p·T and TotalThreads = P·T: it then loads and runs exactly its
// threads' shares, with their random streams, and writes its Result; [MergeResults] combines the
// parts (histograms merged, operations summed, runtime the longest). LMDB shares its file the
// same way (Options.Segment); memcached and Redis share the one server the loading process
// started ([Attachable], Options.Attach). [RunProcesses] does all of it from one call: it starts
// the children (this executable again: its main calls [RunChildIfAsked] first), gives them a
// common start, and merges their results.
//
// # Latency table
//
// [MeasureLatency] measures the paper's per-operation table over a list of backends with one
// client thread. The clock's own cost is measured ([CalibrateClock]) and subtracted from every
// timed interval; operations whose pilot mean is under 2 µs are timed in batches (32 by default),
// so that sub-microsecond figures are not distorted by the clock, and the caption says which.
//
// # Caveats
//
// The memcached and gomap backends start empty in every process: a run phase needs a load phase
// in the same process (cmd/ycsb's run does it implicitly and says so; loadrun reports both).
// gomemcache allocates per call; the socket workers are as allocation-free as that client allows,
// and the gomap and the run loop itself allocate nothing.
package harness
