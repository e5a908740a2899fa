package workloads

// Fixed-width lowercase hex, written and read in place: the value header and trailer are
// text so that values stay printable, and these avoid fmt's allocations.

const hexDigits = "0123456789abcdef"

// putHex writes v into all of b as len(b) hex digits, most significant first (v is truncated
// to its low 4·len(b) bits).
func putHex(b []byte, v uint64) {
	for i := len(b) - 1; i >= 0; i-- {
		b[i] = hexDigits[v&0xf]
		v >>= 4
	}
}

// parseHex reads all of b as lowercase hex digits (at most 16).
func parseHex(b []byte) (uint64, bool) {
	var v uint64
	for _, c := range b {
		d, ok := hexDigit(c)
		if !ok {
			return 0, false
		}
		v = v<<4 | uint64(d)
	}
	return v, true
}

// hexDigit returns the value of a hex digit (either case).
func hexDigit(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
