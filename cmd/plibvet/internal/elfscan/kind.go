package elfscan

import "fmt"

// Kind names the instruction a byte pattern would decode as, were execution to start at it.
// Every Kind writes PKRU.
type Kind int

const (
	// WRPKRU is NP 0F 01 EF: PKRU = EAX.
	WRPKRU Kind = iota + 1
	// XRSTOR is NP 0F AE /5 with a memory operand (ModRM.mod != 3; mod 3 with reg 5 is LFENCE
	// or INCSSP): it loads PKRU from the XSAVE area when bit 9 of EDX:EAX is set.
	XRSTOR
	// XRSTOR64 is NP REX.W 0F AE /5 with a memory operand, XRSTOR with the 64-bit x87 layout.
	XRSTOR64
	// XRSTORS is NP 0F C7 /3 with a memory operand. It raises #GP outside ring 0, so user code
	// cannot use it to load PKRU: it is reported, but as Privileged, never as a stray.
	XRSTORS
	// XRSTORS64 is NP REX.W 0F C7 /3 with a memory operand.
	XRSTORS64
)

// Privileged reports whether the instruction faults outside ring 0 (XRSTORS and XRSTORS64),
// so that user code cannot use it to change PKRU. The scanner reports such patterns (they
// occur by chance inside ordinary Go code) without counting them as strays.
func (k Kind) Privileged() bool { return k == XRSTORS || k == XRSTORS64 }

// String returns the mnemonic.
func (k Kind) String() string {
	switch k {
	case WRPKRU:
		return "WRPKRU"
	case XRSTOR:
		return "XRSTOR"
	case XRSTOR64:
		return "XRSTOR64"
	case XRSTORS:
		return "XRSTORS"
	case XRSTORS64:
		return "XRSTORS64"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}
