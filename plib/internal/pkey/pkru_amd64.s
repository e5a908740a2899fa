//go:build linux

#include "textflag.h"

// The only places in plibcached whose bytes encode WRPKRU or RDPKRU. plibvet (cmd/plibvet)
// reports every WRPKRU and XRSTOR byte pattern in a binary except the ones inside ·wrpkru.
// The instructions are spelled as BYTEs, as the Intel SDM gives them, so that the encodings are
// exact and greppable and do not depend on the assembler's mnemonic tables.
//
// All three functions are ABI0, NOSPLIT and frameless: they touch no stack beyond their
// arguments, so they cannot trigger a stack growth (and with it the runtime) between the
// instructions, and they clobber only AX, BX, CX and DX, which ABI0 treats as scratch.

// func rdpkru() uint32
//
// RDPKRU (NP 0F 01 EE): EAX = PKRU, EDX = 0. ECX must be 0 or it raises #GP.
TEXT ·rdpkru(SB), NOSPLIT|NOFRAME, $0-4
	XORL	CX, CX
	BYTE	$0x0F; BYTE $0x01; BYTE $0xEE // RDPKRU
	MOVL	AX, ret+0(FP)
	RET

// func wrpkru(clear, set uint32)
//
// PKRU = PKRU &^ clear | set, as one read-modify-write so that Enter and Exit cost one call:
// RDPKRU (EAX = PKRU, EDX = 0), then WRPKRU (NP 0F 01 EF: PKRU = EAX; ECX and EDX must both be
// 0 or it raises #GP). No fence is needed: the SDM says WRPKRU never executes speculatively and
// that no memory access governed by PKRU executes, even speculatively, before every earlier
// WRPKRU has updated the register.
TEXT ·wrpkru(SB), NOSPLIT|NOFRAME, $0-8
	XORL	CX, CX
	BYTE	$0x0F; BYTE $0x01; BYTE $0xEE // RDPKRU
	MOVL	clear+0(FP), BX
	NOTL	BX
	ANDL	BX, AX
	ORL	set+4(FP), AX
	XORL	CX, CX
	XORL	DX, DX
	BYTE	$0x0F; BYTE $0x01; BYTE $0xEF // WRPKRU
	RET

// func cpuid(leaf, subleaf uint32) (eax, ebx, ecx, edx uint32)
TEXT ·cpuid(SB), NOSPLIT|NOFRAME, $0-24
	MOVL	leaf+0(FP), AX
	MOVL	subleaf+4(FP), CX
	CPUID
	MOVL	AX, eax+8(FP)
	MOVL	BX, ebx+12(FP)
	MOVL	CX, ecx+16(FP)
	MOVL	DX, edx+20(FP)
	RET
