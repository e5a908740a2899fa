// Package regress is the performance regression check behind `make regress`: it measures, in one
// process, the ratios the paper's claims rest on (memcached's Get latency over plib's, the PKU
// trampoline's cost, plib's throughput over memcached's, plib's write-heavy throughput at two
// client threads over one) and compares each with a floor from a checked-in file (floors.txt,
// every floor with a comment saying why it is where it is).
//
// Ratios, not absolute figures, are checked: both sides of a ratio are measured minutes apart on
// the same machine, so a shared or virtualised machine's speed cancels out.
//
//	cmd/regress  flags -> ParseFloors -> Measure -> Evaluate -> printed verdicts, exit status
//
// A side of a ratio is a backend, or, for a metric whose floors choose the client-thread count
// (writeheavy-throughput), BACKEND@THREADS; the thread counts of one backend run on one load.
//
// Where a backend cannot run here (plib-pku without PKU), a floor naming it is measured with its
// stand-in (plib-nopku, at the same thread count) and marked SUBSTITUTE, and a floor comparing
// the backend with its own stand-in is SKIPPED with the reason: never passed silently.
package regress
