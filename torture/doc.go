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
// # Killing repairers and reclaimers (Config.KillRepairers, -kill-repairers)
//
// A worker killed holding locks leaves them to the next worker that waits for one, which
// claims the dead slot's journal and repairs (rolls back, finishes, releases); its slot is
// taken back by the next worker that needs one (RecoverSlot, which also frees the chunk
// the dead worker had allocated and not linked). Either may be killed in turn, and the
// next one must repair what both left. In this mode the killer opens a client of its own
// (it takes no slot) and spends every wait, between kills and for a victim to be reaped
// (when its locks get repaired), polling Client.Repairing in a tight loop. Each worker it
// finds repairing (a lock repairer) or taking a slot back (a reclaimer: RepairerSlot ==
// DeadSlot) it SIGSTOPs at once; if the claim still names it once it is frozen, it
// SIGKILLs it there, mid-repair for certain, and replaces it, else the repair was over (a
// miss) and it SIGCONTs it. At most one kill in two goes to repairers (a dead repairer's
// own locks need repairing too, and the cascade would leave the workers no time to work).
// To make repairs common, it picks victims that hold a lock (it SIGSTOPs a candidate: if
// more locks stay held while it is stopped than while it ran, the candidate holds one and
// is killed where it stands), runs the workers five steps nicer than itself (the poll
// needs a core when a repair happens; not in stop mode, which times operations tightly),
// and, when MaxClients is left zero, makes the slot table 2*Workers+4 slots, so that soon
// every replacement takes back a dead slot at start-up (where the killer's start-up kills
// land too). The report counts the repairs seen, the lock repairers and reclaimers killed
// mid-repair, the misses, and the lock holders killed; all the kills are in Kills too.
//
// # Stopping workers (Config.Stop, -stop)
//
// A stopped process keeps its locks. In this mode the workers' plib.Options.LockTimeout is
// 200 ms (Config.LockTimeout) and one stopper per two workers SIGSTOPs a random worker
// (preferring, after probing as above, one that holds a lock in an operation on a sampled
// key, so that others need it) for 1 ms to 2*BusyHang, log-uniform (about 4 stops in 10
// outlast the lock timeout, 1 in 12 outlasts BusyHang), then SIGCONTs it. The killer
// spares stopped workers for 7 kills in 8 (SIGKILL works on a stopped process; those kills
// happen too). A call that waited LockTimeout for a live client's lock returns
// plib.ErrBusy having changed nothing (kv rolls it back as it would a crash, and the
// caller sees the error only after that: a busy result is never returned for a call that
// took effect, and the model holds it to that); the workers record it as an operation with
// a known outcome and no effect, which the model accepts in any state and which leaves the
// state unchanged, and count it (Report.Busy; per sampled key in the linearizability
// table). A session claim that is busy (a dead slot's repair claimed by a stopped
// repairer) is retried.
//
// The watchdog does not count the time a worker was stopped: it keeps each worker's stop
// spans and subtracts them from the operation, start-up or idle time it measures, so a
// stopped worker is never hung. Nor does it count, in an operation, the time the worker's
// threads were runnable but waiting for a CPU (run_delay in /proc/PID/task/*/schedstat):
// a starved worker is not hung either, while a call waiting for a lock sleeps on it or
// spins. But an operation may take only BusyHang (default 5*LockTimeout + 2 s: a call may
// wait for a few locks in turn, each up to LockTimeout, plus page faults and the like on a
// loaded machine) of its own time, far less than Hang: a call that waits for a stopped
// client without bound is a hang, which is what this mode checks. The report gives the
// stops (how many outlasted the lock timeout or held a lock), the busy results and the
// longest operation the watchdog saw in flight, less its worker's stops and starvation.
//
// # What is asserted
//
// Every failure goes into Report.Failures: a worker hung (the watchdog's limit Hang, or
// BusyHang for an operation in stop mode; its goroutines are dumped with SIGQUIT), a
// worker that exited on its own, a value that fails verification (in a worker or at the
// end), a lock word still held after Recover, an invariant violation found by Check, a
// history porcupine finds not linearizable (its visualization is written to the output
// directory) or could not decide in time. The report also gives the kills survived, the
// operations completed and checked, the stores refused for memory, and the latencies: p50,
// p99.9, the maximum, and the longest operation that was in flight when a worker was
// killed (workers keep their figures in a file they map MAP_SHARED, so a SIGKILL loses
// none).
//
// go test ./torture/ runs four short versions (50 kills each: on the small segment, on a
// roomy one where nothing is evicted, checked with the strict model, in kill-repairers
// mode and in stop mode) and tests that the harness catches a hung worker, a lost write,
// a hang in stop mode (past BusyHang, well before Hang) and a busy store reported as
// done. make torture runs the full ones (cmd/torture): 1000 kills, then 300 in
// kill-repairers mode, 300 in stop mode, and 300 in both modes at once (stopped
// repairers, and reclaimers waiting behind stopped lock holders, are the easiest to
// catch); TORTURE_FLAGS='-segment 67108864' for the strict model.
package torture
