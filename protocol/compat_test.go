package protocol

import (
	"net"
	"strings"
	"testing"

	"github.com/plibcached/plibcached/plib"
)

// sameReplies sends each request to memcached and to plibd and wants byte-identical
// replies: no normalisation of CAS ids or anything else.
func sameReplies(t *testing.T, reqs []string) {
	t.Helper()
	ts, _ := startPlibd(t, false, nil)
	conns := []net.Conn{dial(t, startMemcached(t)), dial(t, ts.sock)}
	for _, req := range reqs {
		var got [2]string
		for i, c := range conns {
			r, err := exchange(c, []byte(req+"mn\r\n"), false)
			if err != nil {
				t.Fatalf("%q: %v", req, err)
			}
			got[i] = string(r)
		}
		if got[0] != got[1] {
			t.Fatalf("%q:\nmemcached %q\nplibd     %q", req, got[0], got[1])
		}
	}
}

// TestCASAcrossFlush: flush_all takes a CAS id in memcached, so every id after it is one
// higher; plibd's ids follow memcached's exactly (flush_all 1 acts at once in both).
func TestCASAcrossFlush(t *testing.T) {
	sameReplies(t, []string{
		"set a 0 0 1\r\n1\r\ngets a\r\n",
		"flush_all\r\nset b 0 0 1\r\n1\r\ngets b\r\nmg b c\r\n",
		"flush_all 0\r\nflush_all -1\r\nset c 0 0 1\r\n1\r\ngets b c\r\n",
		"flush_all 1\r\nms d 1\r\n1\r\ngets b c d\r\nmg d c\r\n",
	})
}

// TestTooLargeSetCounters: a set refused as too large removes the old value without
// counting a delete, as memcached's does.
func TestTooLargeSetCounters(t *testing.T) {
	big := strings.Repeat("x", 1<<20)
	sameReplies(t, []string{
		"set a 0 0 1\r\n1\r\nset a 0 0 1048576\r\n" + big + "\r\nget a\r\nset b 0 0 1048576\r\n" + big + "\r\n",
	})
	ts, _ := startPlibd(t, false, nil)
	c := dial(t, ts.sock)
	c.Write([]byte("set a 0 0 1048576\r\n" + big + "\r\n"))
	expect(t, c, "SERVER_ERROR object too large for cache\r\n")
	for _, name := range []string{"delete_misses", "delete_hits"} {
		if got := statValue(t, c, name); got != "0" {
			t.Fatalf("%s %s after a too-large set, want 0", name, got)
		}
	}
}

// TestLargeGetCountsOnce: a get of a value larger than the first read buffer counts one
// cmd_get, not one per attempt.
func TestLargeGetCountsOnce(t *testing.T) {
	ts, _ := startPlibd(t, false, nil)
	c := dial(t, ts.sock)
	v := strings.Repeat("v", 16400)
	c.Write([]byte("set a 0 0 16400\r\n" + v + "\r\nget a\r\n"))
	expect(t, c, "STORED\r\nVALUE a 0 16400\r\n"+v+"\r\nEND\r\n")
	if got := statValue(t, c, "cmd_get"); got != "1" {
		t.Fatalf("cmd_get %s after one get, want 1", got)
	}
}

// TestControlByteKeys: keys with control bytes and DEL are stored, read, counted and
// deleted as memcached does (memaslap's keys begin with eight 0x10 bytes).
func TestControlByteKeys(t *testing.T) {
	var reqs []string
	for _, k := range []string{"a\x01b", "t\tab", "v\x0bw", "f\x0cg", "\x10\x10\x10\x10\x10\x10\x10\x10k", "d\x7f"} {
		reqs = append(reqs, "set "+k+" 1 0 2\r\nhi\r\nget "+k+"\r\nappend "+k+" 0 0 1\r\n!\r\nincr "+k+" 1\r\n"+
			"mg "+k+" v f\r\ntouch "+k+" 10\r\ndelete "+k+"\r\nget "+k+"\r\nadd "+k+" 0 0 1\r\n1\r\nincr "+k+" 5\r\n")
	}
	reqs = append(reqs, "ms dGVzdAEC 2 b\r\nhi\r\nmg dGVzdAEC b v k\r\nmd dGVzdAEC b q\r\nmg dGVzdAEC b v\r\n")
	sameReplies(t, reqs)
}

// TestMetaLeases: the meta protocol's anti-stampede flags, byte for byte as memcached:
// N vivifies and wins once (W, then Z), R wins when the TTL is below its threshold, md I
// marks stale (X) and lets the next mg win, ms I stores under an older CAS id keeping the
// marks, a plain ms clears them, u leaves the item unfetched, me shows it.
func TestMetaLeases(t *testing.T) {
	sameReplies(t, []string{
		"mg lease s c v N30\r\nmg lease s c v N30\r\nmg lease s c v N30 q\r\n",
		"ms lease 2 T120 C5000\r\nnu\r\nms lease 2 T120 C2\r\nmu\r\nmg lease s v N30\r\n",
		"mg lease s c v R130\r\nmg lease s c v R130\r\nmg lease s v R10\r\n",
		"ms lease 4 T300\r\nzuuu\r\nmg lease s v N30 R10\r\n",
		"set inv 0 0 3\r\nmoo\r\nmg inv s v\r\nmd inv I T30\r\nmg inv s c v\r\nmg inv s c v\r\n",
		"ms inv 1 T90 C0\r\nf\r\nms inv 1 I T90 C1\r\nf\r\nmg inv s v c\r\nms inv 1 T90 C11\r\ng\r\nmg inv s v c\r\n",
		"md nothere I\r\nmd inv I C1\r\nmd inv I q\r\nmg inv s c\r\n",
		"ms nu 3 T100\r\nhit\r\nmg nu s u h\r\nmg nu s h\r\nmg nu s u h\r\nme nothere\r\n",
	})
	// A clock that stands still: la (seconds since the last access) is 0 only if no
	// second boundary passes between the set and the me.
	ts, _ := startPlibd(t, false, plib.NewManualClock(1_700_000_000))
	c := dial(t, ts.sock)
	c.Write([]byte("set foo 0 0 2\r\nhi\r\nme foo\r\n"))
	expect(t, c, "STORED\r\nME foo exp=-1 la=0 cas=1 fetch=no cls=1 size=61\r\n")
}

// TestCASDisabled: with -C, byte for byte as memcached -C: ids print as 0, cas and ms C
// never match, md and ma C0 match any item.
func TestCASDisabled(t *testing.T) {
	pl := startPlibdWith(t, Config{CASDisabled: true}, nil)
	mc := dial(t, startMemcachedWith(t, "no_lru_crawler,no_lru_maintainer,slab_automove=0,no_slab_reassign", "-C"))
	for _, req := range []string{
		"set a 0 0 1\r\n1\r\ngets a\r\nmg a c v\r\ncas a 0 0 1 0\r\n2\r\ncas a 0 0 1 1\r\n2\r\ncas nope 0 0 1 1\r\n2\r\n",
		"ms a 1 C0 c\r\n3\r\nms a 1 C7\r\n3\r\nms a 1 I C1\r\n3\r\nms a 1 c\r\n4\r\n",
		"set n 0 0 1\r\n5\r\nma n C0 c v\r\nma n C3\r\nmd n C9\r\nmd n C0\r\nmd a I\r\nmg a c v\r\n",
		"stats settings\r\n",
	} {
		var got [2]string
		for i, c := range []net.Conn{mc, pl} {
			r, err := exchange(c, []byte(req+"mn\r\n"), false)
			if err != nil {
				t.Fatal(err)
			}
			got[i] = string(r)
		}
		if strings.HasPrefix(req, "stats") {
			if !strings.Contains(got[1], "STAT cas_enabled no\r\n") {
				t.Fatalf("stats settings: %q", got[1])
			}
			continue
		}
		if got[0] != got[1] {
			t.Fatalf("%q:\nmemcached %q\nplibd     %q", req, got[0], got[1])
		}
	}
}
