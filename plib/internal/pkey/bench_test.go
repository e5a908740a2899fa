//go:build linux && amd64

package pkey

import (
	"runtime"
	"testing"
)

// BenchmarkEnterExit measures one trampoline's register work: Enter and Exit, two RDPKRU and two
// WRPKRU, on a locked thread.
func BenchmarkEnterExit(b *testing.B) {
	requirePKU(b)
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	k, err := Alloc()
	if err != nil {
		b.Fatalf("Alloc: %v", err)
	}
	defer Free(k)
	b.ReportAllocs()
	for b.Loop() {
		Enter(k)
		Exit(k)
	}
}

// BenchmarkPKRU measures RDPKRU alone.
func BenchmarkPKRU(b *testing.B) {
	requirePKU(b)
	var sum uint32
	for b.Loop() {
		sum += PKRU()
	}
	sink = byte(sum)
}
