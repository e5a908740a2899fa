//go:build amd64 && !race

package kv

// Release stores. A word that other clients read with atomic loads but only one client
// writes at a time (a class count under the class lock, a stripe's version word under
// the stripe, a slot's own statistics) needs its stores to be seen whole and in program
// order, not a full fence. On amd64 an aligned MOV is single-copy atomic and stores are
// seen in program order (TSO), so a plain store is a release store; Go's atomic Store
// compiles to XCHG, which also drains the store buffer and so waits for every earlier
// store to a line not in the cache. Under the race detector, and on other
// architectures, release_atomic.go uses atomic stores instead.

func (m mem) store32(off uint64, v uint32) { m.setU32(off, v) }
func (m mem) store64(off uint64, v uint64) { m.setU64(off, v) }
