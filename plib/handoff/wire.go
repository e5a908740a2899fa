//go:build linux

package handoff

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// The protocol: the client connects to a SOCK_SEQPACKET unix socket and sends nothing;
// the server sends exactly one message and closes. A message is one datagram:
//
//	0   magic    "plibhoff"
//	8   version  u16 little-endian (Version)
//	10  kind     u8: 1 grant, 2 refusal
//	11  zero     u8
//	12  length   u16: bytes of text that follow, at most MaxText
//	14  text     UTF-8: a refusal's reason; a grant's is informational
//
// A grant carries the segment's descriptor in one SCM_RIGHTS control message; a refusal
// carries none. Magic and version stay where they are in every version, so a client can
// always name the version it cannot read.
const (
	// Version is the protocol version this build speaks.
	Version = 1
	// MaxText is the longest text a message carries.
	MaxText = 1024

	headerLen   = 14
	kindGrant   = 1
	kindRefusal = 2
)

var magic = [8]byte{'p', 'l', 'i', 'b', 'h', 'o', 'f', 'f'}

// ErrRefused: the server refused to hand this process the segment. Receive returns it as
// a *RefusedError, which carries the server's reason.
var ErrRefused = errors.New("plib/handoff: refused")

// ErrProtocol: the server's reply was not a well-formed message of this version (or it
// closed without one), or a grant did not carry exactly one descriptor.
var ErrProtocol = errors.New("plib/handoff: protocol error")

// RefusedError is a refusal with the server's reason; errors.Is(err, ErrRefused) holds.
type RefusedError struct {
	// Reason is the server's text, e.g. "uid 65534 gid 65534 is not allowed by the
	// server's policy".
	Reason string
}

// Error names the refusal and the server's reason.
func (e *RefusedError) Error() string { return "plib/handoff: refused by server: " + e.Reason }

// Is makes errors.Is(err, ErrRefused) hold.
func (e *RefusedError) Is(target error) bool { return target == ErrRefused }

type message struct {
	kind byte
	text string
}

func (m message) encode() []byte {
	text := m.text
	if len(text) > MaxText {
		text = text[:MaxText]
	}
	b := make([]byte, headerLen, headerLen+len(text))
	copy(b, magic[:])
	binary.LittleEndian.PutUint16(b[8:], Version)
	b[10] = m.kind
	binary.LittleEndian.PutUint16(b[12:], uint16(len(text)))
	return append(b, text...)
}

func decode(b []byte) (message, error) {
	if len(b) < headerLen {
		return message{}, fmt.Errorf("%w: short message of %d bytes", ErrProtocol, len(b))
	}
	if [8]byte(b[:8]) != magic {
		return message{}, fmt.Errorf("%w: not a plib handoff server (bad magic)", ErrProtocol)
	}
	if v := binary.LittleEndian.Uint16(b[8:]); v != Version {
		return message{}, fmt.Errorf("%w: server speaks version %d, this build %d", ErrProtocol, v, Version)
	}
	m := message{kind: b[10]}
	n := int(binary.LittleEndian.Uint16(b[12:]))
	switch {
	case m.kind != kindGrant && m.kind != kindRefusal:
		return message{}, fmt.Errorf("%w: unknown message kind %d", ErrProtocol, m.kind)
	case b[11] != 0 || n > MaxText || len(b) != headerLen+n:
		return message{}, fmt.Errorf("%w: malformed message (%d bytes, text length %d)", ErrProtocol, len(b), n)
	}
	m.text = string(b[headerLen:])
	return m, nil
}
