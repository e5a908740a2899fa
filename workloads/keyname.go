package workloads

// YCSB's FNV constants (site.ycsb.Utils.FNV_OFFSET_BASIS_64 and FNV_PRIME_64).
const (
	fnvOffsetBasis64 = 0xCBF29CE484222325
	fnvPrime64       = 1099511628211
)

// FNVHash64 is YCSB's Utils.hash / Utils.fnvhash64: for each of the 8 bytes of v, least
// significant first, h ^= byte; h *= 1099511628211, from h = 0xCBF29CE484222325; then the
// absolute value as a signed 64-bit integer (so, as in Java, math.MinInt64 stays negative).
func FNVHash64(v int64) int64 {
	h := uint64(fnvOffsetBasis64)
	u := uint64(v)
	for i := 0; i < 8; i++ {
		h ^= u & 0xff
		h *= fnvPrime64
		u >>= 8
	}
	s := int64(h)
	if s < 0 {
		s = -s
	}
	return s
}

// digitPairs holds the two-digit decimals 00 … 99, back to back.
const digitPairs = "00010203040506070809101112131415161718192021222324252627282930313233343536373839" +
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879" +
	"8081828384858687888990919293949596979899"

// AppendKeyName appends YCSB's key for keynum to dst (CoreWorkload.buildKeyName): "user", then
// zeros until the number has zeroPadding characters, then the decimal of FNVHash64(keynum)
// (hashed insert order) or of keynum itself (ordered). It allocates only if dst lacks room.
func AppendKeyName(dst []byte, keynum int64, zeroPadding int, ordered bool) []byte {
	if !ordered {
		keynum = FNVHash64(keynum)
	}
	// The decimal, written backwards two digits at a time into a buffer on the stack, so its
	// length (which the padding needs) comes out of the same pass.
	var digits [20]byte
	i := len(digits)
	u := uint64(keynum)
	if keynum < 0 {
		u = -u
	}
	for u >= 100 {
		q := u / 100
		r := (u - q*100) * 2
		i -= 2
		digits[i], digits[i+1] = digitPairs[r], digitPairs[r+1]
		u = q
	}
	if u >= 10 {
		i -= 2
		digits[i], digits[i+1] = digitPairs[2*u], digitPairs[2*u+1]
	} else {
		i--
		digits[i] = byte('0' + u)
	}
	if keynum < 0 {
		i--
		digits[i] = '-'
	}
	dst = append(dst, "user"...)
	for fill := zeroPadding - (len(digits) - i); fill > 0; fill-- {
		dst = append(dst, '0')
	}
	return append(dst, digits[i:]...)
}

// KeyName appends the key of record keynum to dst, as YCSB names it under this workload's
// zeropadding and insertorder. It allocates only if dst lacks room; at most MaxKeySize bytes
// are appended.
func (w *CoreWorkload) KeyName(dst []byte, keynum int64) []byte {
	return AppendKeyName(dst, keynum, w.ZeroPadding, w.Ordered)
}

// MaxKeySize is the longest key KeyName can append: "user" and 20 characters for any int64,
// or "user" and zeropadding characters when that is more.
func (w *CoreWorkload) MaxKeySize() int {
	return len("user") + max(20, w.ZeroPadding)
}
