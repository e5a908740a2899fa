package elfscan

import "golang.org/x/arch/x86/x86asm"

// insideInstruction decodes code (a function's bytes, starting at its first instruction)
// from the start and reports whether the byte at off lies strictly inside one instruction,
// and that instruction. A pattern found there is not an instruction the function executes:
// only a jump into the middle of an instruction, a control-flow hijack, could run it. If
// the decoder stops before off (bytes it cannot decode), the answer is false: the hit is
// treated as a real instruction.
func insideInstruction(code []byte, off int, mode int) (bool, string) {
	for pos := 0; pos < len(code); {
		if pos == off {
			return false, ""
		}
		inst, err := x86asm.Decode(code[pos:], mode)
		if err != nil || inst.Len == 0 {
			return false, ""
		}
		if pos < off && off < pos+inst.Len {
			return true, x86asm.GoSyntax(inst, 0, nil)
		}
		pos += inst.Len
	}
	return false, ""
}
