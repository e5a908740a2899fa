package workloads

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"slices"
)

// A value is printable ASCII, derived from (key, version), and checks itself:
//
//	offset  size  contents
//	0       1     magic 'Y'
//	1       16    version, hex
//	17      8     total length of the value in bytes, hex
//	25      16    FNV-1a 64 of the key, hex
//	41      n-49  filler: a SplitMix64 stream seeded by (key hash, version), 6 bits per byte + '0'
//	n-8     8     CRC-32C (Castagnoli) of bytes [0, n-8), hex
//
// The checksum makes a torn or truncated value detectable (a CRC catches every burst of up to
// 32 bits and all but 2^-32 of other damage); the key hash makes a whole value stored under the
// wrong key detectable; the version lets a reader tell which write it sees.
const (
	valueMagic     = 'Y'
	offVersion     = 1
	offLength      = offVersion + 16
	offKeyHash     = offLength + 8
	valueHeaderLen = offKeyHash + 16
	checksumLen    = 8

	// MinValueSize is the smallest value this package makes: a header and a checksum with no
	// filler. A workload whose records are shorter gets values of this size.
	MinValueSize = valueHeaderLen + checksumLen
)

// castagnoli is the CRC-32C table (hardware-accelerated by hash/crc32 where the CPU has it).
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// keyHash is FNV-1a 64 over the key's bytes.
func keyHash(key []byte) uint64 {
	h := uint64(fnvOffsetBasis64)
	for _, c := range key {
		h ^= uint64(c)
		h *= fnvPrime64
	}
	return h
}

// appendValue appends the n-byte value (at least MinValueSize) for (key, version) to dst.
func appendValue(dst, key []byte, version uint64, n int) []byte {
	n = max(n, MinValueSize)
	start := len(dst)
	dst = slices.Grow(dst, n)[:start+n]
	v := dst[start:]
	kh := keyHash(key)
	v[0] = valueMagic
	putHex(v[offVersion:offLength], version)
	putHex(v[offLength:offKeyHash], uint64(n))
	putHex(v[offKeyHash:valueHeaderLen], kh)
	fill(v[valueHeaderLen:n-checksumLen], kh^splitmix64(version))
	putHex(v[n-checksumLen:], uint64(crc32.Checksum(v[:n-checksumLen], castagnoli)))
	return dst
}

// fill writes printable bytes '0'..'o' from a SplitMix64 stream seeded by seed, eight at a time:
// the low 6 bits of each byte plus '0' (no carries between bytes, so one add does all eight).
func fill(b []byte, seed uint64) {
	const low6, zeros = 0x3f3f3f3f3f3f3f3f, 0x3030303030303030
	state := seed
	for len(b) >= 8 {
		state += 0x9e3779b97f4a7c15
		binary.LittleEndian.PutUint64(b, splitmix64(state)&low6+zeros)
		b = b[8:]
	}
	if len(b) > 0 {
		var tail [8]byte
		binary.LittleEndian.PutUint64(tail[:], splitmix64(state+0x9e3779b97f4a7c15)&low6+zeros)
		copy(b, tail[:])
	}
}

// VerifyValue reports whether value is whole and was written for key: nil, an error wrapping
// ErrCorruptValue (too short, bad magic, checksum or length mismatch), or one wrapping
// ErrWrongKey (a whole value of another key). It reads value and key only, and allocates only
// to describe a failure.
func VerifyValue(key, value []byte) error {
	n := len(value)
	if n < MinValueSize {
		return fmt.Errorf("%w: %d bytes, shorter than the %d-byte minimum", ErrCorruptValue, n, MinValueSize)
	}
	if value[0] != valueMagic {
		return fmt.Errorf("%w: magic byte %q, want %q", ErrCorruptValue, value[0], valueMagic)
	}
	want, ok := parseHex(value[n-checksumLen:])
	if got := crc32.Checksum(value[:n-checksumLen], castagnoli); !ok || uint64(got) != want {
		return fmt.Errorf("%w: checksum %08x, trailer says %q", ErrCorruptValue, got, value[n-checksumLen:])
	}
	if length, ok := parseHex(value[offLength:offKeyHash]); !ok || length != uint64(n) {
		return fmt.Errorf("%w: %d bytes, header says %q", ErrCorruptValue, n, value[offLength:offKeyHash])
	}
	if _, ok := parseHex(value[offVersion:offLength]); !ok {
		return fmt.Errorf("%w: version field %q is not hex", ErrCorruptValue, value[offVersion:offLength])
	}
	kh, ok := parseHex(value[offKeyHash:valueHeaderLen])
	if want := keyHash(key); !ok || kh != want {
		return fmt.Errorf("%w: value's key hash %q, key %q hashes to %016x", ErrWrongKey, value[offKeyHash:valueHeaderLen], key, want)
	}
	return nil
}

// ValueVersion returns the version written into value. It checks the header's shape but not
// the checksum: call VerifyValue first to know the value is whole.
func ValueVersion(value []byte) (uint64, error) {
	if len(value) < MinValueSize || value[0] != valueMagic {
		return 0, fmt.Errorf("%w: no value header (%d bytes)", ErrCorruptValue, len(value))
	}
	v, ok := parseHex(value[offVersion:offLength])
	if !ok {
		return 0, fmt.Errorf("%w: version field %q is not hex", ErrCorruptValue, value[offVersion:offLength])
	}
	return v, nil
}

// Value appends to dst the value for (key, version), of a length drawn from the workload's
// fieldlengthdistribution for each of its fieldcount fields (the fields of a record are one
// memcached value) with this thread's value stream, which is separate from its operation
// stream. It allocates only if dst lacks room (MaxValueSize is always enough).
func (t *Thread) Value(dst []byte, key []byte, version uint64) []byte {
	return appendValue(dst, key, version, t.w.fields.total(&t.values))
}

// LoadValue appends to dst the value for (key, version) for the load phase. Its length is a
// draw from fieldlengthdistribution seeded by (key, version) alone, so the same call always
// gives the same value (the constant length fieldcount·fieldlength under the default, constant,
// distribution). Safe for concurrent use; allocates only if dst lacks room.
func (w *CoreWorkload) LoadValue(dst []byte, key []byte, version uint64) []byte {
	var r rng
	r.pcg.Seed(keyHash(key), splitmix64(version))
	return appendValue(dst, key, version, w.fields.total(&r))
}

// MaxValueSize is the length of the longest value Value and LoadValue make, in bytes:
// fieldcount·fieldlength, or MinValueSize when that is more.
func (w *CoreWorkload) MaxValueSize() int {
	return max(w.FieldCount*w.FieldLength, MinValueSize)
}
