// Package pkey is plib's interface to Intel memory protection keys for user pages (PKU) on Linux:
// detecting them, allocating a key, tagging the shared segment's pages with it, and the two
// register writes a trampoline makes around every library call.
//
// # How plib uses it
//
// At open, plib calls Supported, then Alloc once per process, and Protect over its mapping of the
// segment. Every thread starts (and stays, outside calls) with the key's access denied. A call
// into the library is then
//
//	runtime.LockOSThread()
//	pkey.Enter(k) // RDPKRU + WRPKRU: this thread may now read and write the segment
//	... the store's code runs ...
//	pkey.Exit(k)  // RDPKRU + WRPKRU: denied again
//	runtime.UnlockOSThread()
//
// Enter and Exit are the hot path: inlinable, no allocation, no system call, no stack growth, one
// WRPKRU each. The instructions are in pkru_amd64.s, the only place in the project whose bytes
// encode RDPKRU or WRPKRU; cmd/plibvet checks a built binary for any other WRPKRU or XRSTOR.
//
// The PKRU arithmetic (Key.Allow, Key.Deny, Key.With, ...) is pure and works on every platform.
// Everything that executes PKU instructions or system calls exists on linux/amd64 only; elsewhere
// Supported, Alloc, Free and Protect return ErrNoPKU and Enter, Exit and PKRU panic.
//
// # The hardware and kernel model
//
// PKRU is a 32-bit per-thread register: for key k, bit 2k (AD) disables all data access to pages
// tagged k and bit 2k+1 (WD) disables writes (Intel SDM Vol. 3A §4.6.2). It governs data accesses
// only, never instruction fetches, and adds to the page permissions, never grants beyond them. A
// violation raises SIGSEGV with si_code SEGV_PKUERR (4); the Go runtime, finding no handler that
// recovers it, prints "signal SIGSEGV: segmentation violation code=0x4" and exits with status 2.
//
// Which value a thread's PKRU holds, per Linux (arch/x86, pkeys(7), pkey_alloc(2)):
//   - execve installs init_pkru, by default 0x55555554 (DefaultInitPKRU): key 0 open, keys 1..15
//     access-disabled. An administrator can change it (boot parameter or
//     /sys/kernel/debug/x86/init_pkru).
//   - clone(2), and so every new thread, copies the creating thread's current PKRU. A new thread
//     does not start from init_pkru.
//   - pkey_alloc writes the requested initial rights into the calling thread's PKRU only; other
//     threads keep their bits for that key number (init_pkru's, unless they changed them).
//   - A signal handler starts with init_pkru; the interrupted PKRU is saved in the signal frame's
//     XSAVE area and rt_sigreturn restores it from there.
//
// # Threat model: what a denied thread can and cannot do
//
// Go threads. Goroutines migrate between OS threads, hence LockOSThread around Enter..Exit.
// The Go runtime creates threads (Ms) in runtime.newm, which normally clones the thread it runs
// on. Were that thread inside Enter, the new M would inherit the raised rights and go on to run
// arbitrary goroutines. The runtime avoids cloning a thread "whose kernel state may be strange":
// when the current M is locked by LockOSThread (m.lockedExt != 0) or is running cgo, newm does
// not clone it but queues the new M on newmHandoff and wakes the template thread, which clones
// it instead (runtime/proc.go: newm, newmHandoff, startTemplateThread, templateThread). The
// template thread is started by the first LockOSThread in the process (at startup in a cgo
// binary), from the calling thread while it is still in a known-good state, which for plib means
// before any Enter (Enter requires the lock), so the template thread and everything it clones
// deny the key. Under an emulated PKU CPU, a thread created while another is inside Enter was
// observed with PKRU 0x5555555c: the bits the allocating thread had before the first
// LockOSThread, not the raised ones. Threads created by the runtime
// from unlocked Ms are clones of threads that are not inside Enter. Code between Enter and Exit
// must still not create threads itself (raw clone, cgo that spawns threads, os/exec's vfork child
// runs with the parent's PKRU until it execs).
//
// Signals. Go's handlers (preemption, profiling, crash reporting) run with init_pkru on the
// signal stack, which the runtime allocates on key 0: they work, cannot touch the segment, and a
// preempted trampoline resumes with its rights restored by rt_sigreturn. The flip side: because
// rt_sigreturn loads PKRU from the signal frame in user memory, code that forges a frame can set
// any PKRU without executing WRPKRU.
//
// Paths that ignore PKRU altogether: ptrace(2) PEEK/POKE, /proc/self/mem (or another process's
// mem file), and process_vm_readv/process_vm_writev access memory as a "foreign" mm and skip the
// pkey check. The kernel does honour the calling thread's PKRU when it copies to or from user
// memory on the thread's behalf: read(2) into a tagged buffer fails for a denied thread.
//
// The tag belongs to the mapping, not to the file: any process that can open the segment file can
// map it a second time, and that mapping carries key 0. File permissions, not PKU, stop that.
//
// Instructions other than WRPKRU write PKRU: XRSTOR (and XRSTOR64) with bit 9 of EDX:EAX set
// loads it from an XSAVE area in memory, and XRSTORS does in the kernel (it faults at CPL 3). ERIM
// and Hodor therefore scan executable memory for both byte patterns, aligned or not;
// cmd/plibvet does so for a built binary (see package plib/internal/elfscan). Code generated or
// mapped executable at run time, shared libraries and the vDSO are outside that scan.
//
// So PKU here keeps the segment out of reach of the application's ordinary code, including wild
// pointers from unsafe or a buggy C library; it does not confine a process owner who sets out to
// issue the system calls above.
//
// # Testing
//
// Tests that execute PKU instructions skip, saying why, where Supported fails; the ones that
// must watch a fault kill a process run it as a re-executed child. scripts/qemu-pku/run.sh runs the
// whole suite in a QEMU guest with an emulated PKU CPU, for machines that hide PKU.
//
// # Caveats
//
//   - Free does not reset rights or tags; a key freed and re-allocated brings back whatever rights
//     threads still hold for its number. plib allocates once per process and never frees.
//   - A lowered init_pkru leaves threads that existed before Alloc with access to the new key.
//   - Enter and Exit do not check their preconditions; without PKU they die with SIGILL.
package pkey
