package protocol

import (
	"encoding/binary"
	"fmt"
)

// Binding is memcached's -B: the protocols a connection may speak. plibd serves the text
// and meta protocols; memcached's binary protocol (deprecated since memcached 1.6) is
// recognised by its framing so that a binary client gets binary answers, but every
// binary request is answered "Unknown command", as memcached answers an opcode it does
// not serve.
type Binding int

const (
	// BindAuto picks by a connection's first byte, as memcached's default does: 0x80
	// (the binary request magic) is binary, anything else text.
	BindAuto Binding = iota
	// BindASCII serves the text and meta protocols only.
	BindASCII
	// BindBinary takes binary requests only: a connection that opens with anything else
	// is closed, as memcached closes it ("Invalid magic").
	BindBinary
)

// String is the name "stats settings" prints (binding_protocol).
func (b Binding) String() string {
	switch b {
	case BindASCII:
		return "ascii"
	case BindBinary:
		return "binary"
	}
	return "auto-negotiate"
}

// ParseBinding parses -B's argument: auto, ascii or binary.
func ParseBinding(s string) (Binding, error) {
	switch s {
	case "auto":
		return BindAuto, nil
	case "ascii":
		return BindASCII, nil
	case "binary":
		return BindBinary, nil
	}
	return 0, fmt.Errorf("Invalid value for binding protocol: %s -- should be one of auto, binary, or ascii", s)
}

const (
	binaryReqMagic    = 0x80
	binaryResMagic    = 0x81
	binaryHeaderLen   = 24
	binaryUnknownCmd  = 0x0081 // PROTOCOL_BINARY_RESPONSE_UNKNOWN_COMMAND
	binaryUnknownText = "Unknown command"
)

// binaryFirst decides a connection's protocol from its first byte b: binary reports a
// binary connection, refuse one the binding does not allow (closed unanswered).
func (b Binding) binaryFirst(first byte) (binary, refuse bool) {
	switch b {
	case BindASCII:
		return false, false
	case BindBinary:
		return first == binaryReqMagic, first != binaryReqMagic
	}
	return first == binaryReqMagic, false
}

// appendBinaryRefusal answers the binary request whose header is h (24 bytes) with
// "Unknown command" and returns the reply, the request's body length (to be discarded)
// and whether the header is a request at all (false: the connection must be closed).
func appendBinaryRefusal(out, h []byte) ([]byte, int, bool) {
	if h[0] != binaryReqMagic {
		return out, 0, false
	}
	var r [binaryHeaderLen]byte
	r[0], r[1] = binaryResMagic, h[1]
	binary.BigEndian.PutUint16(r[6:], binaryUnknownCmd)
	binary.BigEndian.PutUint32(r[8:], uint32(len(binaryUnknownText)))
	copy(r[12:16], h[12:16]) // opaque
	out = append(append(out, r[:]...), binaryUnknownText...)
	return out, int(binary.BigEndian.Uint32(h[8:12])), true
}
