//go:build linux

package handoff

import (
	"errors"
	"strings"
	"testing"
)

func TestMessageRoundTrip(t *testing.T) {
	for _, m := range []message{{kindGrant, ""}, {kindRefusal, "uid 1 is not allowed"}, {kindRefusal, strings.Repeat("r", MaxText)}} {
		got, err := decode(m.encode())
		if err != nil || got != m {
			t.Fatalf("%+v: decoded %+v %v", m, got, err)
		}
	}
	if long := (message{kindRefusal, strings.Repeat("x", 2*MaxText)}).encode(); len(long) != headerLen+MaxText {
		t.Fatalf("a long text is not cut to MaxText: %d bytes", len(long))
	}
}

func TestMessageMalformed(t *testing.T) {
	good := message{kindRefusal, "why"}.encode()
	edit := func(f func(b []byte) []byte) []byte { return f(append([]byte(nil), good...)) }
	for name, b := range map[string][]byte{
		"empty":        nil,
		"short":        good[:headerLen-1],
		"magic":        edit(func(b []byte) []byte { b[0] = 'x'; return b }),
		"version":      edit(func(b []byte) []byte { b[8] = 2; return b }),
		"kind":         edit(func(b []byte) []byte { b[10] = 9; return b }),
		"reserved":     edit(func(b []byte) []byte { b[11] = 1; return b }),
		"text longer":  edit(func(b []byte) []byte { return append(b, '!') }),
		"text shorter": edit(func(b []byte) []byte { return b[:len(b)-1] }),
		"text too big": edit(func(b []byte) []byte { b[12], b[13] = 0xff, 0xff; return b }),
	} {
		if _, err := decode(b); !errors.Is(err, ErrProtocol) {
			t.Errorf("%s: %v, want ErrProtocol", name, err)
		} else if name == "version" && !strings.Contains(err.Error(), "version 2") {
			t.Errorf("version error does not name the server's version: %v", err)
		}
	}
}

func TestRefusedError(t *testing.T) {
	var err error = &RefusedError{Reason: "uid 7 is not allowed"}
	var re *RefusedError
	if !errors.Is(err, ErrRefused) || !errors.As(err, &re) || re.Reason != "uid 7 is not allowed" ||
		!strings.Contains(err.Error(), "uid 7 is not allowed") || errors.Is(err, ErrProtocol) {
		t.Fatalf("RefusedError: %v", err)
	}
}

func TestPolicy(t *testing.T) {
	pol := Policy{UIDs: []uint32{0, 1000}, GIDs: []uint32{100}}
	for _, tc := range []struct {
		p    Peer
		want bool
	}{
		{Peer{UID: 1000, GID: 1000}, true},
		{Peer{UID: 0, GID: 0}, true},
		{Peer{UID: 1001, GID: 100}, true},
		{Peer{UID: 1001, GID: 1001, Groups: []uint32{5, 100}}, true},
		{Peer{UID: 1001, GID: 1001, Groups: []uint32{5}}, false},
		{Peer{UID: 65534, GID: 65534}, false},
	} {
		if got := pol.Allows(tc.p); got != tc.want {
			t.Errorf("%v: Allows %v, want %v", tc.p, got, tc.want)
		}
	}
	if (Policy{}).Allows(Peer{}) {
		t.Error("the zero Policy allows uid 0")
	}
	for _, tc := range []struct {
		pol  Policy
		text string
	}{
		{pol, "uid=0,1000 gid=100"},
		{Policy{UIDs: []uint32{1000}}, "uid=1000"},
		{Policy{GIDs: []uint32{7, 8}}, "gid=7,8"},
		{Policy{}, "none"},
	} {
		if s := tc.pol.String(); s != tc.text {
			t.Errorf("String %q, want %q", s, tc.text)
		}
		back, err := ParsePolicy(tc.text)
		if err != nil || back.String() != tc.text {
			t.Errorf("ParsePolicy(%q) = %v %v", tc.text, back, err)
		}
	}
	if p, err := ParsePolicy("uid=1 uid=2 gid=3"); err != nil || p.String() != "uid=1,2 gid=3" {
		t.Errorf("repeated terms: %v %v", p, err)
	}
	for _, bad := range []string{"", "uid", "uid=", "uid=x", "user=1", "uid=-1", "uid=4294967295", "none uid=1"} {
		if _, err := ParsePolicy(bad); err == nil {
			t.Errorf("ParsePolicy(%q) accepted", bad)
		}
	}
	if s := (Peer{PID: 9, UID: 1, GID: 2, Groups: []uint32{3, 4}}).String(); s != "pid 9 uid 1 gid 2 groups 3,4" {
		t.Errorf("Peer.String %q", s)
	}
}
