package elfscan

import "bytes"

// match is one occurrence of a PKRU-writing encoding in a buffer of code.
type match struct {
	off  int // offset of the pattern's first byte: the REX prefix for the 64-bit forms
	size int // bytes of the fixed part: [REX] 0F op ModRM
	kind Kind
}

// The opcodes searched for, all behind the 0F escape byte (Intel SDM Vol. 2).
const (
	escape       = 0x0F
	opGroup7     = 0x01 // 0F 01 EF is WRPKRU
	modrmWRPKRU  = 0xEF
	opGroup15    = 0xAE // 0F AE /5, memory operand: XRSTOR
	regXRSTOR    = 5
	opGroup9     = 0xC7 // 0F C7 /3, memory operand: XRSTORS
	regXRSTORS   = 3
	rexWMask     = 0xF8 // REX is 0100WRXB; REX.W set means 0x48..0x4F
	rexW         = 0x48
	modRegister  = 3 // ModRM.mod 11b: register operand, a different instruction
	patternBytes = 3 // 0F op ModRM
)

// findPatterns returns, in order of offset, every place in code where the bytes would decode as
// WRPKRU, XRSTOR or XRSTORS if execution began there. It looks at every byte offset, not only at
// instruction boundaries: a jump into the middle of an instruction (an immediate, a displacement)
// executes whatever the bytes there spell. With rex set (64-bit code), a REX.W byte right before
// an XRSTOR/XRSTORS pattern is reported as part of it, as the 64-bit form. A pattern is reported
// once, whatever prefixes precede it; prefixes cannot stop the core bytes from decoding as the
// instruction when execution starts at them.
func findPatterns(code []byte, rex bool) []match {
	var found []match
	for i := 0; i+patternBytes <= len(code); i++ {
		next := bytes.IndexByte(code[i:len(code)-patternBytes+1], escape)
		if next < 0 {
			break
		}
		i += next
		if m, ok := matchAt(code, i, rex); ok {
			found = append(found, m)
		}
	}
	return found
}

// matchAt decodes the pattern starting with the 0F byte at code[i], if any.
func matchAt(code []byte, i int, rex bool) (match, bool) {
	op, modrm := code[i+1], code[i+2]
	var kind Kind
	switch {
	case op == opGroup7 && modrm == modrmWRPKRU:
		return match{off: i, size: patternBytes, kind: WRPKRU}, true
	case op == opGroup15 && isMemoryForm(modrm, regXRSTOR):
		kind = XRSTOR
	case op == opGroup9 && isMemoryForm(modrm, regXRSTORS):
		kind = XRSTORS
	default:
		return match{}, false
	}
	if rex && i > 0 && code[i-1]&rexWMask == rexW {
		return match{off: i - 1, size: patternBytes + 1, kind: wide(kind)}, true
	}
	return match{off: i, size: patternBytes, kind: kind}, true
}

// isMemoryForm reports whether modrm selects opcode extension reg with a memory operand.
func isMemoryForm(modrm byte, reg byte) bool {
	return modrm>>6 != modRegister && (modrm>>3)&7 == reg
}

// wide returns the REX.W form of an XRSTOR kind.
func wide(k Kind) Kind {
	if k == XRSTORS {
		return XRSTORS64
	}
	return XRSTOR64
}
