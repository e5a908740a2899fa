//go:build linux

package pkey

// Declarations of the instructions in pkru_amd64.s. None of them allocates, blocks, makes a
// system call, or can grow the stack; they are called on the trampoline's hot path.

// rdpkru returns the calling thread's PKRU. It raises #UD (SIGILL) unless CR4.PKE is set, that
// is unless Supported() returned nil.
//
//go:nosplit
func rdpkru() uint32

// wrpkru sets the calling thread's PKRU to PKRU&^clear | set, reading and writing it in one
// assembly function (RDPKRU then WRPKRU). wrpkru(^uint32(0), v) writes v outright. It raises #UD
// (SIGILL) unless CR4.PKE is set. Its symbol,
// github.com/plibcached/plibcached/plib/internal/pkey.wrpkru, is the one WRPKRU that plibvet
// allows.
//
//go:nosplit
func wrpkru(clear, set uint32)

// cpuid executes CPUID with EAX=leaf and ECX=subleaf.
//
//go:nosplit
func cpuid(leaf, subleaf uint32) (eax, ebx, ecx, edx uint32)
