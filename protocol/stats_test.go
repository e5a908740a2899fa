package protocol

import (
	"bufio"
	"net"
	"slices"
	"strings"
	"testing"
	"time"
)

// statNames sends cmd and returns the names of the STAT lines of its reply, in order.
func statNames(t *testing.T, c net.Conn, cmd string) []string {
	t.Helper()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	c.Write([]byte(cmd + "\r\n"))
	r := bufio.NewReader(c)
	var names []string
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("%s: %v", cmd, err)
		}
		if line == "END\r\n" {
			return names
		}
		f := strings.Fields(line)
		if len(f) < 2 || f[0] != "STAT" {
			t.Fatalf("%s: line %q", cmd, line)
		}
		names = append(names, f[1])
	}
}

// TestStatsNames: "stats", "stats settings" and "stats items" name what memcached names,
// in its order, memcached running without an LRU crawler or maintainer thread (plibd has
// neither) and, in "stats settings", leaving out the extstore and TLS settings that
// Debian's build prints (plibd has neither, as memcached built without them).
func TestStatsNames(t *testing.T) {
	mc := dial(t, startMemcachedWith(t, "no_lru_crawler,no_lru_maintainer"))
	ts, _ := startPlibd(t, false, nil)
	pd := dial(t, ts.sock)
	for _, c := range []net.Conn{mc, pd} {
		c.Write([]byte("set foo 0 0 3\r\nbar\r\n"))
		expect(t, c, "STORED\r\n")
	}
	for _, cmd := range []string{"stats", "stats settings", "stats items"} {
		want, got := statNames(t, mc, cmd), statNames(t, pd, cmd)
		want = slices.DeleteFunc(want, func(n string) bool {
			return strings.HasPrefix(n, "ext_") || strings.HasPrefix(n, "ssl_") || n == "slab_automove_freeratio"
		})
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("%s:\nplibd     %q\nmemcached %q", cmd, got, want)
		}
	}
}

// TestStatsSubcommands: the subcommands memcached answers are answered in its shape.
func TestStatsSubcommands(t *testing.T) {
	ts, _ := startPlibd(t, false, nil)
	c := dial(t, ts.sock)
	c.Write([]byte("set p:foo 0 0 3\r\nbar\r\nstats cachedump 1 10\r\nstats sizes\r\nstats detail on\r\n" +
		"get p:foo\r\nget p:x\r\ndelete p:foo\r\nstats detail dump\r\nstats reset\r\nstats detail dump\r\nstats nosuch\r\n"))
	expect(t, c, "STORED\r\nITEM p:foo [3 b; 0 s]\r\nEND\r\nSTAT sizes_status disabled\r\nEND\r\nOK\r\n"+
		"VALUE p:foo 0 3\r\nbar\r\nEND\r\nEND\r\nDELETED\r\nPREFIX p get 2 hit 1 set 0 del 1\r\nEND\r\n"+
		"RESET\r\nEND\r\nERROR\r\n")
	if got := statValue(t, c, "cmd_get"); got != "0" {
		t.Fatalf("cmd_get after stats reset: %s", got)
	}
	names := statNames(t, c, "stats conns")
	if len(names) < 4 || !strings.HasSuffix(names[0], ":addr") {
		t.Fatalf("stats conns: %q", names)
	}
}
