// Package elfscan finds stray PKRU writes in x86 ELF binaries: the static check behind
// cmd/plibvet.
//
// plib's protection rests on one assumption: the only code in a client process that can raise
// the thread's rights on the segment is plib's trampoline (pkey.Enter, in the assembly function
// pkey.wrpkru). Two instructions can write PKRU from user mode: WRPKRU, and XRSTOR when bit 9 of
// its EDX:EAX mask is set (it then loads PKRU from an XSAVE area in memory). ERIM (Vahldiek-
// Oberwagner et al., USENIX Security 2019) and Hodor (Hedayati et al., USENIX ATC 2019) enforce
// the assumption by scanning executable memory for these byte patterns at every byte offset, not
// only at instruction boundaries: x86 instructions have variable length, so an immediate or a
// displacement can contain, say, 0F 01 EF, and a jump into the middle of that instruction executes
// a WRPKRU the disassembly does not show. Scan does the same over a binary file and attributes
// each hit to the function containing it, so that the trampoline's own WRPKRU can be allowed by
// symbol and everything else reported.
//
// Patterns (Intel SDM Vol. 2): WRPKRU is 0F 01 EF; XRSTOR is 0F AE /5 with a memory operand
// (ModRM.mod != 3), XRSTOR64 the same behind REX.W; XRSTORS and XRSTORS64 are 0F C7 /3 with a
// memory operand. XRSTORS faults outside ring 0 and is reported only to err on the side of noise.
// RDPKRU (0F 01 EE) only reads PKRU and is not reported.
//
// # What a scan shows
//
// Hits are facts about bytes, not proof of a vulnerability: most stray hits in ordinary code are
// unaligned, inside an immediate, and reachable only by a control-flow hijack, which Go code
// cannot perform without memory corruption. The Go toolchain does emit such bytes: for example
// go1.26's os.MkdirTemp contains "OR EAX, 0x6CAE0F", whose bytes 0F AE 6C spell XRSTOR [RSP+...].
// plibvet reports them rather than hide them. A reviewer who accepts one allows its function
// with -allow, or accepts every pattern that decoding its function shows to lie strictly
// inside another instruction with -allow-unaligned (Options.AllowUnaligned; Finding.Inside
// names the instruction). ERIM rewrites such instructions; that needs a compiler pass Go does
// not offer.
//
// # Caveats
//
//   - Only the file is scanned: shared libraries (the dynamic loader's lazy-binding trampoline
//     uses XRSTOR), the vDSO, and code generated or made executable at run time are not.
//     Hodor covers those by checking pages as they become executable.
//   - Symbols come from .symtab, else .gopclntab (which survives -ldflags=-s), else .dynsym.
//     Without any, hits carry no symbol and none can be allowed.
//   - The Go linker names an assembly function's symbol "pkg.name.abi0" whenever the compiler
//     also made a Go-ABI wrapper of that name, which it does for assembly functions declared in
//     Go (cmd/link's mangleABIName); allow lists match both spellings.
package elfscan
