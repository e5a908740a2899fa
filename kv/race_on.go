//go:build race

package kv

// raceEnabled is true in builds with the race detector. Lock-free reads (seqlock.go) read
// words a writer may be storing and throw the result away when the version moved: correct,
// but a data race by the detector's definition on a heap region. Under the detector every
// read takes its stripe's lock, so the detector checks the locking instead.
const raceEnabled = true
