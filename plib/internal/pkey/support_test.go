//go:build linux && amd64

package pkey

import (
	"errors"
	"testing"

	"golang.org/x/sys/unix"
)

// TestSupportedConsistentWithCPUID checks Supported against the CPUID bits and the kernel: where
// CPUID says PKU is unusable, Supported must fail with ErrNoPKU naming that bit, and the kernel
// must refuse pkey_alloc too; where CPUID says usable, Supported may only fail because the kernel
// refused the probe.
func TestSupportedConsistentWithCPUID(t *testing.T) {
	f := readCPUFeatures()
	t.Logf("CPUID: max basic leaf %#x, PKU=%v, OSPKE=%v", f.maxLeaf, f.pku, f.ospke)
	err := Supported()
	t.Logf("Supported() = %v", err)
	if err2 := Supported(); err2 != err {
		t.Errorf("Supported() not cached: %v, then %v", err, err2)
	}

	if cpuErr := f.check(); cpuErr != nil {
		if !errors.Is(err, ErrNoPKU) {
			t.Fatalf("CPUID says %v, but Supported() = %v; want an error wrapping ErrNoPKU", cpuErr, err)
		}
		if err.Error() != cpuErr.Error() {
			t.Errorf("Supported() = %q, want the CPUID reason %q", err, cpuErr)
		}
		// The kernel must agree: with OSPKE clear it cannot hand out a usable key.
		k, _, errno := unix.Syscall(unix.SYS_PKEY_ALLOC, 0, uintptr(DisableAccess), 0)
		if errno == 0 {
			unix.Syscall(unix.SYS_PKEY_FREE, k, 0, 0)
			t.Fatalf("CPUID says no PKU, yet pkey_alloc returned key %d", k)
		}
		t.Logf("kernel agrees: pkey_alloc fails with %v (%d)", errno, int(errno))
		return
	}
	if err != nil && !errors.Is(err, ErrNoPKU) {
		t.Fatalf("Supported() = %v, want nil or an error wrapping ErrNoPKU", err)
	}
}

func TestAllocWithoutPKU(t *testing.T) {
	sup := Supported()
	if sup == nil {
		t.Skip("PKU available: nothing to check about its absence")
	}
	if _, err := Alloc(); !errors.Is(err, ErrNoPKU) || err.Error() != sup.Error() {
		t.Errorf("Alloc() error = %v, want Supported()'s %v", err, sup)
	}
	if err := Free(1); !errors.Is(err, ErrNoPKU) {
		t.Errorf("Free(1) = %v, want ErrNoPKU", err)
	}
	mem := mapPages(t, 1)
	if err := Protect(mem, unix.PROT_READ, 1); !errors.Is(err, ErrNoPKU) {
		t.Errorf("Protect = %v, want ErrNoPKU", err)
	}
}

func TestArgumentChecks(t *testing.T) {
	mem := mapPages(t, 2)
	tests := []struct {
		name string
		err  error
		want error
	}{
		{"Protect key -1", Protect(mem, unix.PROT_READ, -1), ErrInvalidKey},
		{"Protect key 16", Protect(mem, unix.PROT_READ, NumKeys), ErrInvalidKey},
		{"Protect unaligned", Protect(mem[1:], unix.PROT_READ, 1), ErrUnaligned},
		{"Protect empty", Protect(mem[:0], unix.PROT_READ, 1), nil},
		{"Free key 0", Free(0), ErrInvalidKey},
		{"Free key 16", Free(NumKeys), ErrInvalidKey},
	}
	for _, tt := range tests {
		if !errors.Is(tt.err, tt.want) || (tt.want == nil && tt.err != nil) {
			t.Errorf("%s: error = %v, want %v", tt.name, tt.err, tt.want)
		}
	}
}

// mapPages maps n anonymous read-write pages, unmapped at cleanup.
func mapPages(t testing.TB, n int) []byte {
	t.Helper()
	mem, err := unix.Mmap(-1, 0, n*unix.Getpagesize(), unix.PROT_READ|unix.PROT_WRITE,
		unix.MAP_PRIVATE|unix.MAP_ANONYMOUS)
	if err != nil {
		t.Fatalf("mmap: %v", err)
	}
	t.Cleanup(func() { unix.Munmap(mem) })
	return mem
}
