package pkey

import (
	"errors"
	"fmt"
	"sync"

	"golang.org/x/sys/unix"
)

// cpuFeatures are the two CPUID bits PKU needs (Intel SDM Vol. 2A, CPUID leaf 07H, sub-leaf 0):
// ECX bit 3, PKU, says the processor implements protection keys for user pages; ECX bit 4,
// OSPKE, mirrors CR4.PKE and says the operating system has turned them on. RDPKRU and WRPKRU
// raise #UD while OSPKE is clear, whatever PKU says.
type cpuFeatures struct {
	maxLeaf uint32 // CPUID.0:EAX, the highest basic leaf
	pku     bool
	ospke   bool
}

const (
	cpuidECXPKU   = 1 << 3
	cpuidECXOSPKE = 1 << 4
)

// readCPUFeatures executes CPUID; it never faults.
func readCPUFeatures() cpuFeatures {
	maxLeaf, _, _, _ := cpuid(0, 0)
	if maxLeaf < 7 {
		return cpuFeatures{maxLeaf: maxLeaf}
	}
	_, _, ecx, _ := cpuid(7, 0)
	return cpuFeatures{maxLeaf: maxLeaf, pku: ecx&cpuidECXPKU != 0, ospke: ecx&cpuidECXOSPKE != 0}
}

// check returns nil if the CPUID bits allow RDPKRU/WRPKRU, else an error wrapping ErrNoPKU that
// names the missing bit.
func (f cpuFeatures) check() error {
	switch {
	case f.maxLeaf < 7:
		return fmt.Errorf("%w: CPUID max basic leaf is %#x < 7 (CPU or hypervisor reports no structured extended features)", ErrNoPKU, f.maxLeaf)
	case !f.pku:
		return fmt.Errorf("%w: CPUID.(EAX=7,ECX=0):ECX.PKU[bit 3]=0 (CPU or hypervisor does not expose PKU)", ErrNoPKU)
	case !f.ospke:
		return fmt.Errorf("%w: CPUID.(EAX=7,ECX=0):ECX.OSPKE[bit 4]=0 (kernel has not set CR4.PKE: built without CONFIG_X86_INTEL_MEMORY_PROTECTION_KEYS or booted with nopku)", ErrNoPKU)
	}
	return nil
}

var support struct {
	once sync.Once
	err  error
}

// Supported reports whether this process can use protection keys: nil if so, otherwise an error
// wrapping ErrNoPKU whose text says exactly why (which CPUID bit is clear, or how pkey_alloc
// failed). The first call probes the CPU with CPUID and the kernel by allocating and freeing one
// key (with access disabled, so the probing thread's rights stay at deny); later calls return the
// cached result. Safe for concurrent use.
func Supported() error {
	support.once.Do(func() { support.err = probe() })
	return support.err
}

func probe() error {
	if err := readCPUFeatures().check(); err != nil {
		return err
	}
	k, err := pkeyAlloc(DisableAccess)
	if err != nil {
		if errors.Is(err, ErrNoFreeKey) {
			// The kernel supports keys; this process has merely used them all.
			return nil
		}
		return fmt.Errorf("%w: %v", ErrNoPKU, err)
	}
	if err := pkeyFree(k); err != nil {
		return fmt.Errorf("%w: probe: %v", ErrNoPKU, err)
	}
	return nil
}

// pkeyAlloc is pkey_alloc(2) with flags 0. The kernel applies init to the calling thread's PKRU
// only.
func pkeyAlloc(init Rights) (Key, error) {
	k, _, errno := unix.Syscall(unix.SYS_PKEY_ALLOC, 0, uintptr(init), 0)
	switch errno {
	case 0:
		return Key(k), nil
	case unix.ENOSPC:
		return 0, fmt.Errorf("%w: pkey_alloc: %v", ErrNoFreeKey, errno)
	case unix.ENOSYS:
		return 0, fmt.Errorf("pkey_alloc: %v (kernel older than 4.9)", errno)
	case unix.EINVAL:
		return 0, fmt.Errorf("pkey_alloc: %v (kernel refuses protection keys on this CPU)", errno)
	}
	return 0, fmt.Errorf("pkey_alloc: %v", errno)
}

// pkeyFree is pkey_free(2).
func pkeyFree(k Key) error {
	if _, _, errno := unix.Syscall(unix.SYS_PKEY_FREE, uintptr(k), 0, 0); errno != 0 {
		return fmt.Errorf("pkey_free(%d): %v", k, errno)
	}
	return nil
}
