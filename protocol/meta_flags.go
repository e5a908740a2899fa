package protocol

import "encoding/base64"

const (
	mflagMaxOptLength    = 20 // memcached's MFLAG_MAX_OPT_LENGTH, in tokens
	mflagMaxOpaqueLength = 32 // memcached's MFLAG_MAX_OPAQUE_LENGTH
)

// metaFlags is memcached's struct _meta_flags: what a meta command's flags asked for.
type metaFlags struct {
	hasError, noUpdate, vivify, value, setStale, noReply, hasCAS, newTTL, keyBinary bool

	text bool // an incr or decr run as ma (no T or N flags to read)

	mode        byte
	exptime     int32 // T
	autoviv     int32 // N
	recache     int32 // R
	hasRecache  bool
	clientFlags uint32
	reqCAS      uint64
	delta       uint64
	initial     uint64
}

// preparse is memcached's _meta_flag_preparse over the flags from token start on. It
// decodes a base64 key (b) into keyBuf and returns the key to use. It returns false on
// error, with *errstr set as memcached sets it.
func (c *conn) preparse(start int, of *metaFlags, errstr *string) ([]byte, bool) {
	tk := &c.tk
	key := tk.t[1]
	var seen [127]bool
	for i := start; i < tk.n-1; i++ {
		tok := tk.t[i]
		o := tok[0]
		if o >= 127 || seen[o] {
			*errstr = "CLIENT_ERROR duplicate flag"
			return key, false
		}
		seen[o] = true
		var ok bool
		switch o {
		case 'b':
			key = c.keyBuf[:base64Decode(key, c.keyBuf[:])]
			if len(key) == 0 {
				*errstr = "CLIENT_ERROR error decoding key"
				of.hasError = true
			}
			of.keyBinary = true
		case 'N':
			of.vivify = true
			if of.autoviv, ok = safeStrtol(tok[1:]); !ok {
				*errstr, of.hasError = "CLIENT_ERROR bad token in command line format", true
			}
		case 'T':
			if of.exptime, ok = safeStrtol(tok[1:]); !ok {
				*errstr, of.hasError = "CLIENT_ERROR bad token in command line format", true
			} else {
				of.newTTL = true
			}
		case 'R':
			if of.recache, ok = safeStrtol(tok[1:]); !ok {
				*errstr, of.hasError = "CLIENT_ERROR bad token in command line format", true
			} else {
				of.hasRecache = true
			}
		case 'l', 'O', 'P', 'L', 'k', 's', 't', 'c', 'f', 'h':
		case 'v':
			of.value = true
		case 'u':
			of.noUpdate = true
		case 'q':
			of.noReply = true
		case 'F':
			if of.clientFlags, ok = safeStrtoul(tok[1:]); !ok {
				of.hasError = true
			}
		case 'C':
			if of.reqCAS, ok = safeStrtoull(tok[1:]); !ok {
				*errstr, of.hasError = "CLIENT_ERROR bad token in command line format", true
			} else {
				of.hasCAS = true
			}
		case 'M':
			if len(tok) != 2 {
				*errstr, of.hasError = "CLIENT_ERROR incorrect length for M token", true
			} else {
				of.mode = tok[1]
			}
		case 'J':
			if of.initial, ok = safeStrtoull(tok[1:]); !ok {
				*errstr, of.hasError = "CLIENT_ERROR invalid numeric initial value", true
			}
		case 'D':
			if of.delta, ok = safeStrtoull(tok[1:]); !ok {
				*errstr, of.hasError = "CLIENT_ERROR invalid numeric delta value", true
			}
		case 'I':
			of.setStale = true
		default:
			*errstr = "CLIENT_ERROR invalid flag"
			return key, false
		}
	}
	return key, !of.hasError
}

// appendKeyFlag appends " k<key>", base64-encoded and followed by " b" for a binary key
// (memcached's META_KEY).
func appendKeyFlag(o, key []byte, binary bool) []byte {
	o = append(o, " k"...)
	if !binary {
		return append(o, key...)
	}
	o = base64.StdEncoding.AppendEncode(o, key)
	return append(o, " b"...)
}

// appendOpaque appends " <token>" for an O flag, or reports it too long.
func appendOpaque(o, tok []byte) ([]byte, bool) {
	if len(tok) > mflagMaxOpaqueLength {
		return o, false
	}
	o = append(o, ' ')
	return append(o, tok...), true
}

// base64Decode is memcached's lenient base64_decode: it skips bytes outside the alphabet
// and returns 0 for a bad length or padding. dst must hold len(src)*3/4 bytes.
func base64Decode(src, dst []byte) int {
	count := 0
	for _, b := range src {
		if b64Value(b) >= 0 {
			count++
		}
	}
	if count == 0 || count%4 != 0 || count/4*3 > len(dst) {
		return 0
	}
	var block [4]byte
	pos, n, pad := 0, 0, 0
	for _, b := range src {
		v := b64Value(b)
		if v < 0 {
			continue
		}
		if b == '=' {
			pad++
		}
		block[n] = byte(v)
		n++
		if n < 4 {
			continue
		}
		dst[pos] = block[0]<<2 | block[1]>>4
		dst[pos+1] = block[1]<<4 | block[2]>>2
		dst[pos+2] = block[2]<<6 | block[3]
		pos, n = pos+3, 0
		if pad > 0 {
			if pad > 2 {
				return 0
			}
			pos -= pad
			break
		}
	}
	return pos
}

func b64Value(b byte) int {
	switch {
	case b >= 'A' && b <= 'Z':
		return int(b - 'A')
	case b >= 'a' && b <= 'z':
		return int(b-'a') + 26
	case b >= '0' && b <= '9':
		return int(b-'0') + 52
	case b == '+':
		return 62
	case b == '/':
		return 63
	case b == '=':
		return 0
	}
	return -1
}
