//go:build !amd64 || race

package kv

// Release stores with atomic stores (see release_tso.go for amd64).

func (m mem) store32(off uint64, v uint32) { m.a32(off).Store(v) }
func (m mem) store64(off uint64, v uint64) { m.a64(off).Store(v) }
