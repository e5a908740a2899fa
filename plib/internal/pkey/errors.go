package pkey

import "errors"

// Sentinel errors. Functions wrap them with %w and the precise cause, so test with errors.Is.
var (
	// ErrNoPKU means protection keys cannot be used here: the CPU (or the hypervisor) does not
	// expose PKU, the kernel has not enabled it (CPUID OSPKE bit clear), the kernel refuses
	// pkey_alloc, or the platform is not linux/amd64. The wrapping error names which.
	ErrNoPKU = errors.New("pkey: memory protection keys (Intel PKU) unavailable")

	// ErrNoFreeKey means pkey_alloc failed with ENOSPC: every protection key this process may
	// use (15 on x86, fewer if the kernel reserves some) is already allocated.
	ErrNoFreeKey = errors.New("pkey: no free protection key")

	// ErrInvalidKey means a Key outside the range the call accepts (0..15 for Protect,
	// 1..15 for Free).
	ErrInvalidKey = errors.New("pkey: invalid protection key")

	// ErrUnaligned means the range given to Protect does not start on a page boundary.
	ErrUnaligned = errors.New("pkey: range not page-aligned")
)
