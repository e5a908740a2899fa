//go:build !(linux && amd64)

package pkey

import "fmt"

// errPlatform is what every entry point reports off linux/amd64: PKU is an x86-64 feature and
// pkey_alloc/pkey_mprotect are Linux system calls.
var errPlatform = fmt.Errorf("%w: only linux/amd64 is supported", ErrNoPKU)

// Supported reports whether this process can use protection keys. Off linux/amd64 it always
// returns an error wrapping ErrNoPKU.
func Supported() error { return errPlatform }

// Alloc allocates a protection key. Off linux/amd64 it always fails with ErrNoPKU.
func Alloc() (Key, error) { return 0, errPlatform }

// Free releases a protection key. Off linux/amd64 it always fails with ErrNoPKU.
func Free(Key) error { return errPlatform }

// Protect tags memory with a protection key. Off linux/amd64 it always fails with ErrNoPKU.
func Protect([]byte, int, Key) error { return errPlatform }

// Enter raises the calling thread's rights on a key. Off linux/amd64 no Key can have come from
// Alloc, so a call is a programming error and panics.
func Enter(Key) { panic(errPlatform) }

// Exit lowers the calling thread's rights on a key. Off linux/amd64 it panics, like Enter.
func Exit(Key) { panic(errPlatform) }

// PKRU returns the calling thread's PKRU. Off linux/amd64 it panics, like Enter.
func PKRU() uint32 { panic(errPlatform) }
