// Package plib shares a kv store between processes as a protected library, after Hodor and
// Kjellqvist, Hedayati and Scott, "Safe, Fast Sharing of memcached as a Protected Library"
// (ICPP 2020).
//
// The store lives in one file-backed segment (by default under /dev/shm, mode 0600) that
// every client process maps with MAP_SHARED. Instead of sending a request to a server, a
// client thread runs the store's code itself, inside a trampoline that raises its rights on
// the segment for the length of one call. Open creates or attaches the segment; Client has
// gomemcache's API (switch by changing one import and the constructor); Session is the
// allocation-free path for a goroutine that makes many calls.
//
// # The segment
//
// A header (magic, layout version, sizes, offsets, CRC-32C), the client slot table, one
// scratch area per slot, then the kv region. The first opener creates and formats it under
// an exclusive flock; later openers validate it, and a segment whose processes have all
// exited keeps its data for the next one. Each slot is claimed by a process (pid and start
// time, so a reused pid is not mistaken for its owner); the store's lock words record the
// slot of their holder, so a waiter can tell a dead holder (kv.Options.HolderAlive) and a
// dead process's slot is reclaimed once it holds no lock.
//
// # A call
//
//	read the caller's Options.Clock, if one was given (rights still denied)
//	runtime.LockOSThread(); WRPKRU(allow)            enter
//	defer exit                                       (runs on return and on panic)
//	copy key and value into this slot's scratch      (in the protected segment)
//	run the store on the copies                      (validates them; locks; unlocks)
//	copy the result from scratch to the caller       (every store lock released)
//	WRPKRU(deny); runtime.UnlockOSThread()           exit
//
// Inputs are copied before they are validated or used, so a caller that keeps rewriting
// its buffers from another thread cannot change what was checked; outputs are assembled in
// private scratch and copied out only after the locks are released, so a caller cannot
// stall the store by handing it a slow buffer; a buffer that overlaps the segment is
// refused with ErrOverlap, so the library never reads or writes its own memory on a
// caller's behalf. Inside a call nothing allocates on the Go heap, blocks or makes a system
// call, except the slow path of a lock whose holder may be dead (it reads /proc).
//
// # Protection modes
//
// ModePKU allocates an Intel protection key per process, access-disabled from the start,
// and tags the whole mapping with it (pkey_mprotect); a call is one WRPKRU in and one out.
// Outside calls the application can neither read nor write the segment: an access faults
// with SIGSEGV, si_code SEGV_PKUERR. ModeNoPKU runs the same code with no key and no WRPKRU,
// the paper's "Plib, No Hodor" baseline: the segment is then plain memory to the process.
// Where the CPU or kernel lacks PKU, Open in ModePKU returns an error wrapping ErrNoPKU
// naming the reason (PKUSupported says the same beforehand).
//
// # Threat model: what PKU does and does not stop
//
// PKU guards against stray and malicious accesses by the application's own code in an
// authorised process: a buffer overrun, a use-after-free, a library with a bug, code that
// tries to read another client's data. Which processes are authorised is decided by who
// can open the segment file (0600, one owner, unless Options.FileMode says otherwise), not
// by PKU.
//
// Rights are dropped on every path out of a call, and no caller code runs while they are
// raised:
//   - Every raise of rights is followed at once by a deferred exit, so a call that
//     returns, fails, or panics (in the store, or anywhere below it) drops the rights and
//     unlocks its thread before any code of the caller's runs again, including a deferred
//     function or recover of the caller's. A test checks that shape in the source, and a
//     PKU test checks this thread's PKRU after every public call, returning and panicking.
//   - The library calls no code of the caller's while rights are raised. The one
//     caller-supplied function the store needs, Options.Clock, is read before rights are
//     raised and the store sees only that reading, so a Clock that panics or blocks does
//     so with rights denied and no store lock held (kv.CoarseClock, the default, is the
//     store's own and is called directly). kv's OnEvict hook is not exposed, and kv's
//     HolderAlive is this package's (it reads /proc). A Client's pooled session whose call
//     panicked goes back to the pool if it holds no lock; one that does is retired.
//   - Opening cannot be hijacked by a planted file: Open does not follow a symbolic link
//     at the segment's path (O_NOFOLLOW, ErrSymlink), creates with O_EXCL (a file that
//     appears meanwhile is opened under the same checks, never truncated blindly), and
//     attaches only a regular file with one link (ErrNotRegular: no fifo, device,
//     directory or hard link to someone's file), owned by the caller's effective uid
//     (ErrNotOwner), with no permission bits beyond Options.FileMode (ErrPermissive);
//     every descriptor is close-on-exec. Directories above the last component are
//     followed: they must be the caller's own, or sticky like /dev/shm.
//
// # Threat model: a process that maps the segment
//
// PKU is applied by each process to its own mapping, so it cannot stop an authorised
// process that chooses not to tag its mapping: any process that maps the segment can write
// any word of it, at any moment. The store therefore treats every word it reads there as
// untrusted (package kv, "The region is untrusted"), and no call waits without bound
// (kv, "Concurrency"). What such a process can still do:
//   - anything the API lets it do anyway: read every value, change or delete any item,
//     flush the store;
//   - damage the store's structures, losing items or making the calls that meet the damage
//     fail with ErrCorrupt until the segment is repaired or made anew (Client.Check and
//     plibctl check report it);
//   - deny service: hold (or forge) lock words so that calls that need them return ErrBusy
//     after Options.LockTimeout, naming the holder's pid; or stop its own process inside
//     a call, to the same effect.
//
// What it can no longer do: make another client, or plibd, fault, hang, spin, or read or
// write outside the segment (every offset, length, class, count and link read from the
// segment is checked before use, and every walk is bounded); leave a lock or a half-done
// operation behind for good (a dead holder, repairer or reclaimer is repaired in turn); or
// make plibd misbehave beyond answering errors (SERVER_ERROR for the commands that meet the
// damage or the busy lock; every other command is served).
//
// Raised rights cannot leak to other threads or goroutines:
//   - The calling goroutine is locked to its OS thread from before WRPKRU(allow) until
//     after WRPKRU(deny), so it cannot migrate while raised, and no other goroutine runs on
//     that thread meanwhile (a locked M runs only its goroutine).
//   - A new thread copies the PKRU of the thread that clones it. The Go runtime creates
//     threads (Ms) in runtime.newm; when the current M is locked (LockOSThread) newm does
//     not clone it but asks the template thread to, and the template thread, started by
//     the first LockOSThread before any call, never enters a call. So a thread the runtime
//     creates during a call (for a blocked syscall, a GC worker, a timer) starts denied.
//   - A signal handler runs with the kernel's init PKRU (all keys but 0 denied), and the
//     interrupted thread's PKRU comes back with sigreturn; asynchronous preemption in a
//     call parks the goroutine on its own locked thread.
//   - Only plib/internal/pkey contains WRPKRU; cmd/plibvet scans a built binary for any
//     other WRPKRU or XRSTOR byte sequence (which could be jumped to, as ERIM notes) and CI
//     runs it on the project's binaries.
//
// What PKU does not stop:
//   - The kernel ignores PKRU for ptrace, /proc/PID/mem and process_vm_readv/writev: any
//     process allowed to ptrace the client (same uid, by default) can read the segment.
//   - A second mapping of the same file (mmap of /dev/shm/NAME again, by any code in the
//     process) is not tagged: the file's permissions, not PKU, guard it.
//   - Code that runs arbitrary instructions can execute WRPKRU itself (or XRSTOR with a
//     crafted XSAVE area); plibvet finds such bytes in binaries, not in code generated at
//     run time or loaded later (cgo libraries, the dynamic loader, JIT).
//   - A forged signal frame (rt_sigreturn with a chosen XSAVE area) can set PKRU.
//   - Hodor also guarantees that a process killed in a call finishes it; Go cannot. A
//     client killed mid-call leaves locks naming its dead slot and a journal of what it was
//     doing: the first client to wait on one of those locks rolls the operation back or
//     finishes it and releases the locks, and the slot's next claimer (or Recover, or
//     plibctl repair, or plibd as soon as the process exits) frees what it had allocated.
//     See package kv, "Crash safety".
//
// # Who may map the segment: plibd
//
// PKU guards the segment against stray or hostile accesses by an authorised process's own
// code; it does not decide which processes are authorised. With a file-backed segment
// (Open) that is whoever can open the file (0600, one owner). With plibd, the segment lives
// in an anonymous memfd (CreateMemfd) that is in no filesystem, so /dev/shm holds nothing
// to open, and plibd hands its descriptor over a unix socket (plib/handoff, Dial) only to
// processes whose kernel-recorded credentials at connect time (SO_PEERCRED uid and gid,
// SO_PEERGROUPS) its Policy allows; others get ErrRefused with the reason, and cannot reach
// the descriptor through /proc/PID/fd or map_files of plibd or of a client, which only a
// process allowed to ptrace that PID may read. The memfd is sealed against shrinking and
// growing (and against further seals), so no client can truncate it under the others
// (SIGBUS) or stop later clients from mapping it writable; OpenFile refuses a descriptor
// without these seals. Dial keeps no descriptor once the segment is mapped.
//
// What this does not stop: a process granted the segment is trusted with all of it; it can
// pass the descriptor on (SCM_RIGHTS), fork (the child inherits the mapping and is not
// watched), or write anywhere in the segment, and any process that may ptrace it (same uid
// by default) can take its descriptor (pidfd_getfd) or read and write the segment through
// /proc/PID/mem or process_vm_writev, which ignore PKU, so allowing a uid allows every
// process of that uid. Root can do anything, listed in the Policy or not. The Policy
// applies at connect time: changing it does not take the segment back. A memfd segment
// lasts only while plibd or some client holds it.
package plib
