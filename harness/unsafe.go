package harness

import "unsafe"

// unsafeString views b as a string without copying, for client libraries that take string keys.
//
// Safe because the string never outlives the call it is passed to: gomemcache reads the key while
// formatting its request and keeps no reference to it, and the caller does not modify b during
// the call (Worker's contract: the worker owns the call, the caller owns the buffer).
func unsafeString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}
