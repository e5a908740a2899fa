package torture

import (
	"errors"
	"fmt"
	"hash/crc32"
	"strconv"
	"strings"
)

// Values are self-verifying. A blob value is a concatenation of chunks, one per write (a set
// writes one chunk, an append adds one):
//
//	{KEY WRITER SEQ N PAYLOAD CRC}
//
// WRITER is the writing worker incarnation's id and SEQ its write sequence number (both
// decimal), N the payload length, PAYLOAD N letters derived from (WRITER, SEQ) and CRC the
// CRC-32C (8 hex digits) of everything from '{' to the payload's end. A read proves that each
// chunk is whole, belongs to the key read and was written by (WRITER, SEQ). Counter values
// are decimal numbers, possibly padded with trailing spaces (memcached rewrites a shrinking
// number in place).
//
// The model (model.go) works on an abstract form of values: a blob is the string of its
// chunks' tokens "{WRITER.SEQ}", a counter is its text as stored.

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// chunkToken is the abstract form of the chunk written by (writer, seq).
func chunkToken(writer, seq uint64) string {
	return "{" + strconv.FormatUint(writer, 10) + "." + strconv.FormatUint(seq, 10) + "}"
}

// maxUintDigits is the most decimal digits a WRITER or SEQ field can have (2^64-1).
const maxUintDigits = 20

// chunkFrame is the most bytes a chunk for a key of keyLen bytes holds besides a payload
// of n bytes: '{', the key, five spaces, WRITER and SEQ (at most maxUintDigits each), N,
// a space, the 8-digit CRC and '}'.
func chunkFrame(keyLen, n int) int {
	return len("{") + keyLen + len(" ") + maxUintDigits + len(" ") + maxUintDigits + len(" ") +
		len(strconv.Itoa(n)) + len(" ") + len(" ") + 8 + len("}")
}

// payloadRoom is the largest payload a chunk for a key of keyLen bytes can carry within
// size bytes, whatever its writer and sequence number (negative if not even an empty
// one fits).
func payloadRoom(keyLen, size int) int {
	n := size - chunkFrame(keyLen, 0)
	for n > 0 && n+chunkFrame(keyLen, n) > size {
		n-- // N's own digits
	}
	return n
}

// appendChunk appends the chunk written by (writer, seq) for key with n payload bytes.
func appendChunk(dst []byte, key string, writer, seq uint64, n int) []byte {
	start := len(dst)
	dst = append(dst, '{')
	dst = append(dst, key...)
	dst = append(dst, ' ')
	dst = strconv.AppendUint(dst, writer, 10)
	dst = append(dst, ' ')
	dst = strconv.AppendUint(dst, seq, 10)
	dst = append(dst, ' ')
	dst = strconv.AppendInt(dst, int64(n), 10)
	dst = append(dst, ' ')
	dst = appendPayload(dst, writer, seq, n)
	sum := crc32.Checksum(dst[start:], crcTable)
	dst = append(dst, ' ')
	dst = fmt.Appendf(dst, "%08x}", sum)
	return dst
}

// appendPayload appends n letters determined by (writer, seq).
func appendPayload(dst []byte, writer, seq uint64, n int) []byte {
	x := writer*0x9e3779b97f4a7c15 ^ seq
	for i := 0; i < n; i++ {
		if i%8 == 0 {
			x = splitmix(x)
		}
		dst = append(dst, 'a'+byte((x>>(8*(i%8)))%26))
	}
	return dst
}

func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}

// errBadValue is wrapped by every verification failure.
var errBadValue = errors.New("value fails verification")

// decodeValue verifies a value read under key and returns its abstract form: the tokens of
// its chunks, or the text of a decimal number.
func decodeValue(key string, b []byte) (string, error) {
	if len(b) == 0 || b[0] != '{' {
		if !isDecimal(b) {
			return "", fmt.Errorf("%w: key %s: neither chunks nor a decimal number: %.80q", errBadValue, key, b)
		}
		return string(b), nil
	}
	var sb strings.Builder
	for len(b) > 0 {
		tok, rest, err := decodeChunk(key, b)
		if err != nil {
			return "", err
		}
		sb.WriteString(tok)
		b = rest
	}
	return sb.String(), nil
}

// decodeChunk verifies the chunk at the start of b and returns its token and what follows it.
func decodeChunk(key string, b []byte) (tok string, rest []byte, err error) {
	bad := func(why string) (string, []byte, error) {
		return "", nil, fmt.Errorf("%w: key %s: %s in chunk %.100q", errBadValue, key, why, b)
	}
	if len(b) < 2 || b[0] != '{' {
		return bad("no chunk start")
	}
	var fields [4][]byte
	p := 1
	for i := range fields {
		sp := indexByte(b[p:], ' ', 260)
		if sp < 0 {
			return bad("truncated header")
		}
		fields[i], p = b[p:p+sp], p+sp+1
	}
	if string(fields[0]) != key {
		return bad(fmt.Sprintf("key %q", fields[0]))
	}
	writer, e1 := strconv.ParseUint(string(fields[1]), 10, 64)
	seq, e2 := strconv.ParseUint(string(fields[2]), 10, 64)
	n, e3 := strconv.Atoi(string(fields[3]))
	if e1 != nil || e2 != nil || e3 != nil || n < 0 || p+n+10 > len(b) {
		return bad("malformed header")
	}
	payload := b[p : p+n]
	want := appendPayload(make([]byte, 0, n), writer, seq, n)
	if string(payload) != string(want) {
		return bad("payload differs from its writer's")
	}
	end := p + n
	if b[end] != ' ' || b[end+9] != '}' {
		return bad("no checksum")
	}
	sum, err := strconv.ParseUint(string(b[end+1:end+9]), 16, 32)
	if err != nil || uint32(sum) != crc32.Checksum(b[:end], crcTable) {
		return bad("checksum mismatch")
	}
	return chunkToken(writer, seq), b[end+10:], nil
}

func indexByte(b []byte, c byte, limit int) int {
	for i := 0; i < len(b) && i < limit; i++ {
		if b[i] == c {
			return i
		}
	}
	return -1
}

// isDecimal reports whether b is what a counter may hold: digits, then optional spaces.
func isDecimal(b []byte) bool {
	i := 0
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	if i == 0 {
		return false
	}
	for ; i < len(b); i++ {
		if b[i] != ' ' {
			return false
		}
	}
	_, ok := parseDecimal(string(b))
	return ok
}
