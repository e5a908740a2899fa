package protocol

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"testing"
	"time"
)

var (
	diffSeed  = flag.Uint64("diff.seed", 0, "seed of the differential test's command sequence (0: from the time)")
	diffSteps = flag.Int("diff.steps", 5000, "steps (one or more commands each) of the differential test")
	diffLog   = flag.String("diff.log", "", "log every step's request and memcached's reply whose text contains this")
	diffDump  = flag.String("diff.dump", "", "write the requests sent to memcached to this file")
)

// TestDifferential sends one seeded random sequence of commands to stock memcached and to
// plibd and requires byte-identical replies, with CAS ids mapped one-to-one between the
// servers and the seconds of TTLs and ages (mg t, l) allowed to differ by 2.
//
// One memcached 1.6.18 bug is tolerated: incr, decr and ma of a value of 2^63 or more
// run safe_strtoull on the item's data, which has no NUL, and its strchr(str, '-') then
// reads past the value into whatever memory follows: when a '-' byte is found before a
// NUL, memcached calls the number non-numeric. When an incr, decr or ma step differs so
// and memcached holds such a value, the key is deleted on both servers and the run goes on.
func TestDifferential(t *testing.T) {
	mcSock := startMemcached(t)
	ts, _ := startPlibd(t, false, nil)
	seed := *diffSeed
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	steps := *diffSteps
	if testing.Short() {
		steps /= 5
	}
	g := newGen(seed)
	d := &differ{socks: [2]string{mcSock, ts.sock}, g: g}
	defer d.close()
	commands := 0
	for i := 0; i < steps; i++ {
		st := g.next()
		if err := d.run(st); err != nil {
			req := st.render(g, 0)
			if len(req) > 4000 {
				req = append(req[:4000:4000], "..."...)
			}
			t.Fatalf("step %d of seed %d (rerun with -diff.seed=%d):\n%q\n%v", i, seed, seed, req, err)
		}
		commands += st.ncmd
	}
	t.Logf("seed %d: %d steps, %d commands, byte-identical (memcached's strtoull bug met %d times)", seed, steps, commands, d.bugs)
}

// differ holds a connection to each server: [0] memcached, [1] plibd.
type differ struct {
	socks [2]string
	conns [2]net.Conn
	g     *gen
	dump  *os.File
	bugs  int // memcached strtoull bugs met
}

func (d *differ) close() {
	for i, c := range d.conns {
		if c != nil {
			c.Close()
			d.conns[i] = nil
		}
	}
}

// run sends a step to both servers, reads both replies and compares them.
func (d *differ) run(st *step) error {
	var replies [2][]byte
	for i := range d.conns {
		if d.conns[i] == nil {
			c, err := net.Dial("unix", d.socks[i])
			if err != nil {
				return err
			}
			d.conns[i] = c
		}
		req := st.render(d.g, i)
		if !st.closes {
			req = append(req, "mn\r\n"...)
		}
		r, err := exchange(d.conns[i], req, st.closes)
		if err != nil {
			return fmt.Errorf("server %d: %w; got %q", i, err, r)
		}
		replies[i] = r
	}
	if st.closes {
		d.close()
	}
	var n [2]normalised
	for i := range n {
		n[i] = normalise(replies[i])
	}
	if !bytes.Equal(n[0].text, n[1].text) && st.arithKey != "" && d.strtoullBug(st.arithKey) {
		return nil
	}
	if !bytes.Equal(n[0].text, n[1].text) {
		i := 0
		for i < min(len(n[0].text), len(n[1].text)) && n[0].text[i] == n[1].text[i] {
			i++
		}
		from := max(0, i-300)
		return fmt.Errorf("replies differ at byte %d of the normalised text:\nmemcached %q\nplibd     %q\nmemcached …%q\nplibd     …%q",
			i, clip(replies[0]), clip(replies[1]), clip(n[0].text[from:min(len(n[0].text), i+300)]), clip(n[1].text[from:min(len(n[1].text), i+300)]))
	}
	for j := range n[0].fuzzy {
		if a, b := n[0].fuzzy[j], n[1].fuzzy[j]; a-b > 2 || b-a > 2 {
			return fmt.Errorf("TTL or age %d vs %d:\nmemcached %q\nplibd     %q", a, b, replies[0], replies[1])
		}
	}
	for j := range n[0].cas {
		key := st.key
		if n[0].casKeys[j] != "" {
			key = n[0].casKeys[j]
		}
		if err := d.g.cas.pair(n[0].cas[j], n[1].cas[j], key); err != nil {
			return fmt.Errorf("%w:\nmemcached %q\nplibd     %q", err, replies[0], replies[1])
		}
	}
	if *diffDump != "" {
		if d.dump == nil {
			d.dump, _ = os.Create(*diffDump)
		}
		req := st.render(d.g, 0)
		fmt.Fprintf(d.dump, "%d %v\n", len(req), st.closes)
		d.dump.Write(req)
	}
	if *diffLog != "" {
		if req := st.render(d.g, 0); bytes.Contains(req, []byte(*diffLog)) || bytes.Contains(replies[0], []byte(*diffLog)) {
			fmt.Printf("REQ %q\nMC  %q\n", clip(req), clip(replies[0]))
		}
	}
	if st.after != nil {
		st.after(replies[0])
	}
	return nil
}

// exchange writes req and reads the reply: up to the closing "MN" of the sync command,
// or to EOF when the step closes the connection.
func exchange(c net.Conn, req []byte, closes bool) ([]byte, error) {
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.Write(req); err != nil && !closes {
		return nil, err
	}
	var buf []byte
	chunk := make([]byte, 64<<10)
	for {
		n, err := c.Read(chunk)
		buf = append(buf, chunk[:n]...)
		if !closes && bytes.HasSuffix(buf, []byte("MN\r\n")) && (len(buf) == 4 || buf[len(buf)-5] == '\n') {
			return buf[:len(buf)-4], nil
		}
		if err != nil {
			if closes && (errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) || isReset(err)) {
				return buf, nil
			}
			return buf, err
		}
	}
}

func isReset(err error) bool {
	var ne *net.OpError
	return errors.As(err, &ne) && !ne.Timeout()
}

// strtoullBug reports whether memcached's reply may be its spurious "non-numeric" (shown,
// or silenced by noreply or q) for a value of 2^63 or more (see TestDifferential): it
// holds such a value still. If so it deletes key on both servers.
func (d *differ) strtoullBug(key string) bool {
	r, err := exchange(d.conns[0], []byte("mg "+key+" v\r\nmn\r\n"), false)
	if err != nil {
		return false
	}
	lines := bytes.SplitN(r, []byte("\r\n"), 3)
	if len(lines) < 2 || !bytes.HasPrefix(lines[0], []byte("VA ")) {
		return false
	}
	v, ok := parseCounter(lines[1])
	if !ok || v < 1<<63 {
		return false
	}
	for _, c := range d.conns {
		if _, err := exchange(c, []byte("delete "+key+"\r\nmn\r\n"), false); err != nil {
			return false
		}
	}
	d.bugs++
	return true
}
