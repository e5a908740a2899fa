// Package workloads generates YCSB's core workloads for plibcached's benchmarks: the operation
// mix, the keys, and values that check themselves. It reproduces Yahoo! Cloud Serving
// Benchmark's CoreWorkload (Cooper et al., SoCC 2010; github.com/brianfrankcooper/YCSB) closely
// enough that a run here and a run of YCSB against memcached exercise the store the same way,
// which is what comparing with Kjellqvist, Hedayati and Scott (ICPP 2020) needs. It knows
// nothing of the store: the harness turns operations into backend calls.
//
// # Use
//
// LoadProperties reads YCSB property files (-P) and overrides (-p key=value); the files of
// this directory, workloada … workloadf and the paper's paper-readheavy and paper-writeheavy,
// are also built in (Builtin). NewCoreWorkload checks the properties and builds the workload.
// Each client thread then takes a Thread (NewThread) and calls Next for each operation, KeyName
// for its key and Value for the bytes to write; readers check what they get with VerifyValue.
// The load phase inserts the records of LoadRange with LoadValue.
//
// # Fidelity to YCSB
//
// Property names, defaults and validation follow CoreWorkload.init. Keys are YCSB's: "user"
// followed by the decimal of FNVHash64(keynum), zero-padded to zeropadding digits (or of keynum
// itself with insertorder=ordered). The generators follow YCSB's, one per file, each citing its
// source: Zipfian (Gray et al., SIGMOD 1994, with YCSB's incremental ζ), ScrambledZipfian
// (YCSB's precomputed ζ for 10^10 items, hashed into the key range), SkewedLatest, Hotspot,
// Uniform, Sequential, Exponential, Counter and AcknowledgedCounter.
//
// # Determinism
//
// A Thread draws from its own PCG streams seeded by (seed, thread), one for operations and one
// for value lengths, so its stream never depends on other threads. YCSB shares its insert
// counter between threads, which makes readers' keys depend on scheduling once a workload
// inserts; by default (insertvisibility=thread) this package gives each thread its own share of
// the new record numbers instead (see NewThread), and insertvisibility=acknowledged restores
// YCSB's shared counter.
//
// # Values
//
// A value is printable ASCII: a header (magic, version, length, key hash), filler derived from
// (key, version), and a CRC-32C. VerifyValue tells whether a value is whole and belongs to its
// key; ValueVersion tells which write it came from. The crash tests rely on both.
//
// # Speed
//
// Next takes a few tens of nanoseconds and never allocates; KeyName, Value and LoadValue
// allocate only when their destination lacks room. See the benchmarks in
// workloads_timing_test.go.
//
// # Caveats
//
//   - Scans: memcached has no key order, so scanproportion > 0 (workload E) is refused with
//     ErrScanUnsupported.
//   - Zipfian skew: Gray's method, which YCSB uses, is exact for the two hottest items only, and
//     departs from the Zipf law past them: at θ = 0.99 over 1000 items the 3rd item is drawn 17%
//     more often than the law says and the 10th 1.5% more; over YCSB's 10^10-item scrambled
//     space, 20% and 4%. This package keeps that skew, to stay comparable with YCSB's numbers.
//   - Records: the fieldcount fields of a record are one memcached value, so every update writes
//     the whole record (YCSB's writeallfields=false writes one field). Values are at least
//     MinValueSize bytes; a smaller fieldcount·fieldlength is rounded up.
//   - Inserts under insertvisibility=thread: a reader assumes the other threads have inserted as
//     many records as its own thread, so when they lag it may choose a record not yet inserted,
//     which memcached answers as a miss. insertvisibility=acknowledged never does, at the cost of
//     determinism. Workloads without inserts (A, B, C, F and the paper's) are unaffected.
//   - fieldlengthdistribution=histogram is not supported.
//   - recordcount=0 means 2147483647 records, as in YCSB.
package workloads
