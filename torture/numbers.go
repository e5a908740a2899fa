package torture

import (
	"strconv"
	"strings"
)

// arith is memcached's incr (wrapping at 2^64) and decr (stopping at 0).
func arith(v, delta uint64, incr bool) uint64 {
	switch {
	case incr:
		return v + delta
	case delta > v:
		return 0
	}
	return v - delta
}

// rewriteNumber is the value memcached leaves after incr or decr: the new digits, padded
// with spaces to the old length when they fit in it (rewritten in place).
func rewriteNumber(old string, v uint64) string {
	digits := strconv.FormatUint(v, 10)
	if len(digits) <= len(old) {
		return digits + strings.Repeat(" ", len(old)-len(digits))
	}
	return digits
}

// parseDecimal is memcached's safe_strtoull as package kv applies it: optional leading and
// trailing whitespace, at least one digit, no sign, no overflow.
func parseDecimal(b string) (uint64, bool) {
	i := 0
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	start := i
	var v uint64
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		d := uint64(b[i] - '0')
		if v > (1<<64-1-d)/10 {
			return 0, false
		}
		v = v*10 + d
		i++
	}
	if i == start {
		return 0, false
	}
	for ; i < len(b); i++ {
		if !isSpace(b[i]) {
			return 0, false
		}
	}
	return v, true
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}
