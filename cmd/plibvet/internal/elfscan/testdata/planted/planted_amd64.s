#include "textflag.h"

// Each function starts with two NOPs (90 90) so that every pattern sits at offset 2 of its
// symbol. None of them is ever executed.

// WRPKRU (0F 01 EF).
TEXT ·plantedWRPKRU(SB), NOSPLIT|NOFRAME, $0-0
	BYTE $0x90; BYTE $0x90
	BYTE $0x0F; BYTE $0x01; BYTE $0xEF
	RET

// XRSTOR [RDI] (0F AE /5, ModRM 0x2F: mod 00, reg 101, rm 111).
TEXT ·plantedXRSTOR(SB), NOSPLIT|NOFRAME, $0-0
	BYTE $0x90; BYTE $0x90
	BYTE $0x0F; BYTE $0xAE; BYTE $0x2F
	RET

// XRSTOR64 [RSI+0x40] (REX.W 0F AE /5, ModRM 0x6E: mod 01, reg 101, rm 110, disp8 0x40).
TEXT ·plantedXRSTOR64(SB), NOSPLIT|NOFRAME, $0-0
	BYTE $0x90; BYTE $0x90
	BYTE $0x48; BYTE $0x0F; BYTE $0xAE; BYTE $0x6E; BYTE $0x40
	RET

// XRSTORS [RDI] (0F C7 /3, ModRM 0x1F: mod 00, reg 011, rm 111).
TEXT ·plantedXRSTORS(SB), NOSPLIT|NOFRAME, $0-0
	BYTE $0x90; BYTE $0x90
	BYTE $0x0F; BYTE $0xC7; BYTE $0x1F
	RET

// A WRPKRU hidden in an immediate, as ERIM warns: MOVL $0xEF010F, AX assembles to
// B8 0F 01 EF 00, whose bytes 1..3 decode as WRPKRU to a jump that lands there. The pattern is at
// offset 3 (two NOPs, then the B8 opcode).
TEXT ·plantedHidden(SB), NOSPLIT|NOFRAME, $0-0
	BYTE $0x90; BYTE $0x90
	MOVL $0x00EF010F, AX
	RET

// Encodings next to the patterns that must not be reported: RDPKRU (0F 01 EE) reads PKRU,
// LFENCE (0F AE E8) is 0F AE /5 with a register operand, XSAVE [RDI] (0F AE /4) and
// CMPXCHG16B [RDI] (REX.W 0F C7 /1) use the neighbouring opcode extensions.
TEXT ·lookalikes(SB), NOSPLIT|NOFRAME, $0-0
	BYTE $0x0F; BYTE $0x01; BYTE $0xEE
	BYTE $0x0F; BYTE $0xAE; BYTE $0xE8
	BYTE $0x0F; BYTE $0xAE; BYTE $0x27
	BYTE $0x48; BYTE $0x0F; BYTE $0xC7; BYTE $0x0F
	RET
