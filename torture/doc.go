// Package torture is plibcached's crash-safety torture test: it proves (or disproves) that
// a client SIGKILLed at any instruction loses nothing and blocks no one.
//
// # The run
//
// Run creates a small segment under /dev/shm (16 MiB by default: with values of 8 bytes to
// 16 KiB over some 24 slab classes the store evicts constantly and moves pages between
// classes) and starts Workers worker processes, each a re-execution of the binary (its main
// or TestMain calls ChildMain). Each worker holds one plib.Session and runs a YCSB-A-like
// mix (half reads; set, add, delete, append, incr/decr, and cas as a get followed by a cas
// with the id read) until it is told to stop. A killer waits a random 1-30 ms, SIGKILLs a
// random worker, waits for it to be reaped and starts a replacement, Kills times. Then the
// workers are stopped gracefully (SIGTERM: each finishes its operation) and a final
// checker process calls Client.Recover, counts the locks still held (Client.LocksHeld),
// runs Client.Check, and reads back every key.
//
// # Self-verifying values
//
// A blob value is a concatenation of chunks, one per write, each naming its key, its
// writer (worker incarnation) and the writer's sequence number, with a payload derived
// from them and a CRC-32C (value.go): every read proves that the value is whole, belongs to
// its key and was written by a known write. Counters hold decimal numbers. Workers verify
// every value they read; a failure is printed to their stderr (unbuffered) and counted.
//
// # Histories and linearizability
//
// A dozen keys get a quarter of all operations. For each operation on them a worker writes
// its invocation (before it starts) and its result (after it returns) to its own history
// file, one write(2) each, timestamped with CLOCK_MONOTONIC, which all processes share.
// A worker killed during an operation leaves an invocation without a result: the operation
// may or may not have taken effect, so it gets an infinite return time and an unknown
// output, which the model accepts whenever it is linearized (reads in flight are dropped:
// they constrain nothing). The final checker's reads of the sampled keys close every
// history, so an acknowledged write that the end state lost is caught too.
//
// Each key's history is checked with porcupine against a model of one memcached key
// (model.go): absent, or a value and its CAS id. A store's returned CAS id becomes the
// state's; incr, decr and a killed store give the item an id nobody has seen (0 in the
// model), which the next get learns, and a cas with any id read earlier then fails, since
// ids only grow. Because the segment is small, the store may evict a sampled key at any
// moment: the "evict" model allows that before any operation; the "strict" one, used when
// the store reports no eviction at all, does not. Either way a read can never see a value
// older than the last acknowledged write, an append lost, or an incr applied twice.
//
// # What is asserted
//
// Every failure goes into Report.Failures: a worker hung (the watchdog's limit Hang; its
// goroutines are dumped with SIGQUIT), a worker that exited on its own, a value that fails
// verification (in a worker or at the end), a lock word still held after Recover, an
// invariant violation found by Check, a history porcupine finds not linearizable (its
// visualization is written to the output directory) or could not decide in time. The
// report also gives the kills survived, the operations completed and checked, the stores
// refused for memory, and the latencies: p50, p99.9, the maximum, and the longest
// operation that was in flight when a worker was killed (workers keep their figures in a
// file they map MAP_SHARED, so a SIGKILL loses none).
//
// go test ./torture/ runs two short versions (50 kills each: on the small segment, and on
// a roomy one where nothing is evicted, checked with the strict model) and tests that the
// harness catches a hung worker and a lost write; make torture runs the full one
// (cmd/torture, 1000 kills; TORTURE_FLAGS='-segment 67108864' for the strict model).
package torture
