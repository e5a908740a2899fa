package pkey

// Key is a protection key number. Keys 1..15 are what Alloc hands out; key 0 is the default key
// that every page carries until pkey_mprotect says otherwise, and the kernel never allocates it.
//
// The PKRU arithmetic below (Allow, Deny, With, RightsIn) is pure and valid for any Key in
// 0..15; for a Key outside that range the shifts move every bit out of the 32-bit register, so
// those methods leave pkru unchanged and RightsIn reports ReadWrite.
type Key int

// NumKeys is the number of protection keys x86 PKU provides (4-bit key field in each page-table
// entry, two PKRU bits per key).
const NumKeys = 16

// Rights are the per-key access-disable bits, with the values of the Linux ABI's
// PKEY_DISABLE_ACCESS and PKEY_DISABLE_WRITE (include/uapi/asm-generic/mman-common.h), which are
// also the layout of one key's two bits in PKRU (Intel SDM Vol. 3A §4.6.2: bit 2k is AD, the
// access-disable bit of key k, and bit 2k+1 is WD, its write-disable bit).
type Rights uint32

const (
	// ReadWrite clears both bits: data reads and writes are allowed (page permissions still
	// apply on top).
	ReadWrite Rights = 0
	// DisableAccess (AD) forbids every data access, read or write, to pages with the key.
	// Instruction fetches are not affected: PKU governs data accesses only.
	DisableAccess Rights = 0x1
	// DisableWrite (WD) forbids user-mode writes to pages with the key; reads stay allowed.
	DisableWrite Rights = 0x2
	// DenyAll sets both bits. AD alone already forbids every access; WD is set too so that a
	// later change that clears only AD does not silently grant writes.
	DenyAll = DisableAccess | DisableWrite
)

// bitsPerKey is the width of one key's field in PKRU.
const bitsPerKey = 2

// shift is the position of k's AD bit in PKRU.
func (k Key) shift() uint { return bitsPerKey * uint(k) }

// Mask returns the two PKRU bits (AD and WD) that belong to k.
func (k Key) Mask() uint32 { return uint32(DenyAll) << k.shift() }

// With returns pkru with k's two bits replaced by r and every other key's bits unchanged.
// Only the low two bits of r are used.
func (k Key) With(pkru uint32, r Rights) uint32 {
	return pkru&^k.Mask() | uint32(r&DenyAll)<<k.shift()
}

// Allow returns pkru with k's AD and WD bits cleared: full data access to pages with key k.
func (k Key) Allow(pkru uint32) uint32 { return pkru &^ k.Mask() }

// Deny returns pkru with k's AD and WD bits set: no data access to pages with key k.
func (k Key) Deny(pkru uint32) uint32 { return pkru | k.Mask() }

// RightsIn returns k's two bits of pkru.
func (k Key) RightsIn(pkru uint32) Rights { return Rights(pkru>>k.shift()) & DenyAll }

// CanRead reports whether a thread whose PKRU is pkru may read pages with key k.
func (k Key) CanRead(pkru uint32) bool { return k.RightsIn(pkru)&DisableAccess == 0 }

// CanWrite reports whether a thread whose PKRU is pkru may write pages with key k (AD also
// forbids writes, so both bits must be clear).
func (k Key) CanWrite(pkru uint32) bool { return k.RightsIn(pkru) == ReadWrite }

// DefaultInitPKRU is the PKRU value Linux gives a process at execve and every signal handler on
// entry, unless an administrator changed it (boot parameter or /sys/kernel/debug/x86/init_pkru):
// AD set for keys 1..15, key 0 fully accessible. It is what init_pkru_value is initialised to in
// arch/x86/mm/pkeys.c since Linux 4.9.
const DefaultInitPKRU uint32 = 0x55555554
