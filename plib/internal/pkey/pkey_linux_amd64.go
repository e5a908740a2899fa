package pkey

import (
	"fmt"
	"os"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Alloc allocates a protection key with pkey_alloc(0, PKEY_DISABLE_ACCESS|PKEY_DISABLE_WRITE).
// It returns an error wrapping ErrNoPKU when Supported() fails, or ErrNoFreeKey when every key
// is taken.
//
// Which threads can reach pages tagged with the new key? The kernel writes the initial rights
// (here: deny) into the calling thread's PKRU only. Every other thread keeps whatever two bits its
// PKRU already holds at the key's position, and Linux gives no way to change another thread's
// PKRU. In a process that never touched PKRU those bits are the kernel's init PKRU
// (DefaultInitPKRU, 0x55555554: AD set for keys 1..15), because that is what execve installs and
// clone(2) copies the creating thread's PKRU into the new thread. So, on a default-configured
// kernel, every existing thread and every thread created later from a thread outside Enter/Exit
// denies the new key. Two cases break that, and callers must rule them out:
//   - An administrator lowered init_pkru (boot parameter or /sys/kernel/debug/x86/init_pkru):
//     then threads that existed before Alloc may have full access.
//   - The same key number was allocated before in this process, some thread raised its rights
//     on it, and the key was freed without that thread lowering them again: pkey_free does not
//     reset any thread's PKRU, so those stale rights apply to the re-allocated key.
//
// Safe for concurrent use; the kernel serialises allocation per process.
func Alloc() (Key, error) {
	if err := Supported(); err != nil {
		return 0, err
	}
	return pkeyAlloc(DenyAll)
}

// Free releases k with pkey_free(2) so that a later Alloc may return it again. It neither changes
// any thread's PKRU nor untags pages: pages still carrying k stay governed by each thread's k bits,
// and become reachable to whoever is granted k next. Untag them first (Protect with key 0) or
// unmap them. k must be in 1..15.
func Free(k Key) error {
	if k <= 0 || k >= NumKeys {
		return fmt.Errorf("%w: Free(%d)", ErrInvalidKey, k)
	}
	if err := Supported(); err != nil {
		return err
	}
	return pkeyFree(k)
}

// Protect sets the page permissions prot (unix.PROT_READ|unix.PROT_WRITE|...) and the protection
// key k on the pages spanning b, with pkey_mprotect(2). b must start on a page boundary (its
// length is rounded up to whole pages by the kernel) and must be memory this process mapped
// itself with mmap, never the Go heap or a stack: the garbage collector reads heap pages and
// would fault on them. Key 0 puts the pages back on the default key. An empty b is a no-op.
// Arguments are checked (ErrInvalidKey, ErrUnaligned) before support (ErrNoPKU).
//
// The tag belongs to the mapping, not the file behind it: another mapping of the same file
// (in this or another process) carries its own key, key 0 unless it is tagged too.
func Protect(b []byte, prot int, k Key) error {
	if k < 0 || k >= NumKeys {
		return fmt.Errorf("%w: Protect with key %d", ErrInvalidKey, k)
	}
	if len(b) == 0 {
		return nil
	}
	// unsafe: only the address is taken, to hand it to the kernel; b stays referenced by the
	// caller, and mmap'd memory never moves.
	if addr := uintptr(unsafe.Pointer(&b[0])); addr%uintptr(os.Getpagesize()) != 0 {
		return fmt.Errorf("%w: Protect at %#x", ErrUnaligned, addr)
	}
	if err := Supported(); err != nil {
		return err
	}
	_, _, errno := unix.Syscall6(unix.SYS_PKEY_MPROTECT, uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)),
		uintptr(prot), uintptr(k), 0, 0)
	if errno != 0 {
		return fmt.Errorf("pkey_mprotect(len %d, prot %#x, key %d): %w", len(b), prot, k, errno)
	}
	return nil
}

// Enter grants the calling OS thread read and write access to pages tagged k (clears k's AD and WD
// bits): one RDPKRU, to keep every other key's bits, and one WRPKRU, in a single assembly call.
// Exit takes the access away again.
//
// It is the trampoline's hot path: it does not allocate, block, make a system call or grow the
// stack (the two instructions live in NOSPLIT, frameless assembly), and it is small enough for
// the compiler to inline.
//
// Preconditions, none of them checked here (checking would cost the hot path):
//   - Supported() returned nil and k came from Alloc. Without PKU the instructions raise #UD
//     and the process dies with SIGILL.
//   - The calling goroutine holds runtime.LockOSThread from before Enter until after Exit.
//     PKRU belongs to the OS thread: were the goroutine to migrate, the rights would stay
//     behind on a thread that then runs other goroutines, while the goroutine itself would
//     continue without them. Locking also makes the Go runtime create any new thread it needs
//     meanwhile from its template thread rather than by cloning this one (see the package
//     documentation), so raised rights are never inherited.
//   - Nothing between Enter and Exit spawns threads itself (raw clone, cgo, os/exec): a thread
//     cloned from inside Enter copies the raised PKRU.
func Enter(k Key) { wrpkru(k.Mask(), 0) }

// Exit denies the calling OS thread every data access to pages tagged k (sets k's AD and WD
// bits), leaving the other keys' bits as they are: one RDPKRU and one WRPKRU, under the same
// guarantees and preconditions as Enter. It recomputes the deny value from the current PKRU
// instead of restoring a value saved by Enter, so it always ends with k denied, even after an
// unbalanced or nested Enter.
func Exit(k Key) {
	mask := k.Mask()
	wrpkru(mask, mask)
}

// PKRU returns the calling OS thread's PKRU register (RDPKRU). Only meaningful while the
// goroutine is locked to its thread, and only callable once Supported() returned nil (otherwise
// SIGILL). Meant for assertions and diagnostics, e.g. k.CanRead(pkey.PKRU()).
func PKRU() uint32 { return rdpkru() }
