package elfscan

import "testing"

func TestInsideInstruction(t *testing.T) {
	for _, c := range []struct {
		name   string
		code   []byte
		off    int
		inside bool
	}{
		// MOVQ 0x6aae0f(IP), CX: its displacement spells 0F AE 6A, an XRSTOR pattern.
		{"in a displacement", []byte{0x48, 0x8b, 0x0d, 0x0f, 0xae, 0x6a, 0x00, 0xc3}, 3, true},
		// NOP; XRSTOR [RBX]; RET: a real XRSTOR instruction.
		{"a real XRSTOR", []byte{0x90, 0x0f, 0xae, 0x2b, 0xc3}, 1, false},
		// NOP; WRPKRU; RET: a real WRPKRU.
		{"a real WRPKRU", []byte{0x90, 0x0f, 0x01, 0xef, 0xc3}, 1, false},
		// CALL rel32 whose displacement holds 0F 01 EF.
		{"in a call's displacement", []byte{0xe8, 0x0f, 0x01, 0xef, 0xff, 0xc3}, 1, true},
		// Bytes that do not decode before the hit: treated as a real instruction.
		{"undecodable before it", []byte{0x0f, 0x0b, 0xff, 0xff, 0x0f, 0x01, 0xef}, 4, false},
	} {
		inside, inst := insideInstruction(c.code, c.off, 64)
		if inside != c.inside {
			t.Errorf("%s: inside = %v (%q), want %v", c.name, inside, inst, c.inside)
		}
		if inside && inst == "" {
			t.Errorf("%s: inside, but no instruction named", c.name)
		}
	}
}
