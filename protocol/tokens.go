package protocol

import "bytes"

const (
	// maxTokens is memcached's MAX_TOKENS: a command line is split into at most 23 tokens
	// and a terminal one; the rest of a longer line stays unsplit (get reads it for keys).
	maxTokens = 24
	// keyMaxLength is memcached's KEY_MAX_LENGTH.
	keyMaxLength = 250
	// maxInt32 bounds a value length as memcached's INT_MAX does.
	maxInt32 = 1<<31 - 1
)

// tokens is a command line split as memcached's tokenize_command splits it: on single
// spaces, empty tokens skipped. n is memcached's ntokens (the tokens plus the terminal
// one), so the checks below read as memcached's do.
type tokens struct {
	t    [maxTokens][]byte
	n    int
	rest []byte // what follows the 23rd token, nil if the line was consumed
}

func (tk *tokens) split(line []byte) {
	n, s, e := 0, 0, 0
	tk.rest = nil
	for ; e < len(line); e++ {
		if line[e] != ' ' {
			continue
		}
		if s != e {
			tk.t[n] = line[s:e]
			n++
			if n == maxTokens-1 {
				if e+1 < len(line) {
					tk.rest = line[e+1:]
				}
				tk.n = n + 1
				return
			}
		}
		s = e + 1
	}
	if s != e {
		tk.t[n] = line[s:e]
		n++
	}
	tk.n = n + 1
}

// last is the last real token (memcached's tokens[ntokens-2]), where noreply goes.
func (tk *tokens) last() []byte { return tk.t[tk.n-2] }

// keyIter walks the keys of a get-style command: the tokens from first on, then the
// unsplit rest of a line of more than 23 tokens.
type keyIter struct {
	tk   *tokens
	i    int
	rest []byte
}

func newKeyIter(tk *tokens, first int) keyIter { return keyIter{tk: tk, i: first, rest: tk.rest} }

func (it *keyIter) next() ([]byte, bool) {
	if it.i < it.tk.n-1 {
		it.i++
		return it.tk.t[it.i-1], true
	}
	for len(it.rest) > 0 {
		j := bytes.IndexByte(it.rest, ' ')
		if j < 0 {
			k := it.rest
			it.rest = nil
			return k, true
		}
		k := it.rest[:j]
		it.rest = it.rest[j+1:]
		if len(k) > 0 {
			return k, true
		}
	}
	return nil, false
}

// isCSpace is C's isspace in the C locale.
func isCSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'
}

// scanInt is the front end of C's strtol family in base 10: white space, an optional sign,
// digits. It returns the magnitude, whether it overflowed 64 bits (ERANGE), the sign, and
// the index just past the digits, or 0 when there are none (no conversion).
func scanInt(b []byte) (mag uint64, over, neg bool, end int) {
	i := 0
	for i < len(b) && isCSpace(b[i]) {
		i++
	}
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		neg = b[i] == '-'
		i++
	}
	start := i
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		d := uint64(b[i] - '0')
		if mag > (1<<64-1-d)/10 {
			over = true
		}
		mag = mag*10 + d
	}
	if i == start {
		return 0, false, false, 0
	}
	return mag, over, neg, i
}

// endOK is memcached's test of strtol's end pointer: a token must end in white space or
// at its end.
func endOK(b []byte, end int) bool { return end > 0 && (end == len(b) || isCSpace(b[end])) }

// safeStrtoull is memcached's safe_strtoull: strtoull, which takes a sign and negates,
// then refuses a result that is negative as a signed number if the text had a '-'.
func safeStrtoull(b []byte) (uint64, bool) {
	mag, over, neg, end := scanInt(b)
	if end == 0 || over || !endOK(b, end) {
		return 0, false
	}
	v := mag
	if neg {
		v = -mag
	}
	if int64(v) < 0 && bytes.IndexByte(b, '-') >= 0 {
		return 0, false
	}
	return v, true
}

// safeStrtoul is memcached's safe_strtoul on LP64: strtoul is 64 bits wide, and the
// result is truncated to 32 bits when stored.
func safeStrtoul(b []byte) (uint32, bool) {
	v, ok := safeStrtoull(b)
	return uint32(v), ok
}

// safeStrtol is memcached's safe_strtol on LP64: strtol is 64 bits wide (ERANGE beyond),
// and the result is truncated to 32 bits when stored.
func safeStrtol(b []byte) (int32, bool) {
	v, ok := safeStrtoll(b)
	return int32(v), ok
}

// safeStrtoll is memcached's safe_strtoll: strtoll, refused on ERANGE or a bad end.
func safeStrtoll(b []byte) (int64, bool) {
	mag, over, neg, end := scanInt(b)
	if end == 0 || over || !endOK(b, end) {
		return 0, false
	}
	if !neg && mag > 1<<63-1 || neg && mag > 1<<63 {
		return 0, false
	}
	v := int64(mag)
	if neg {
		v = -v
	}
	return v, true
}
