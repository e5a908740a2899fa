package protocol

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// part is a piece of a request: literal bytes, or a CAS label rendered as each server's
// own id for it.
type part struct {
	lit   string
	label int
}

// step is one exchange of the differential test: one or more commands.
type step struct {
	parts  []part
	key    string // the key a meta reply's CAS id belongs to
	closes bool   // the servers close the connection after it
	// arithKey is the key of an incr, decr or ma in the step, whose replies may differ by
	// memcached's strtoull bug (see TestDifferential).
	arithKey string
	ncmd     int
	after    func(mcReply []byte) // bookkeeping once the replies agree
}

func (st *step) lit(s ...string) {
	for _, x := range s {
		st.parts = append(st.parts, part{lit: x, label: -1})
	}
}

func (st *step) render(g *gen, server int) []byte {
	var b []byte
	for _, p := range st.parts {
		if p.label >= 0 {
			b = strconv.AppendUint(b, g.cas.ids[p.label][server], 10)
		} else {
			b = append(b, p.lit...)
		}
	}
	return b
}

// gen makes the differential test's random command sequence.
type gen struct {
	r         *rand.Rand
	cas       casMap
	keys      []string // text keys, 250-byte ones among them
	tooLong   []string
	binKeys   []string // raw keys used only through meta commands' b flag
	bigKeys   []string // values at the item size limit; never appended to
	size      map[string]int
	uncertain map[string]bool // memcached and plibd may disagree on the fetched bit
	now       int64
}

const valueAlphabet = "abcdefghijklnoprstuvwxyz0123456789" // no m or q: a value never reads as mn or quit

func newGen(seed uint64) *gen {
	g := &gen{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), size: map[string]int{},
		uncertain: map[string]bool{}, now: time.Now().Unix()}
	g.cas.byID = [2]map[uint64]int{{}, {}}
	g.cas.latest = map[string]int{}
	for i := 0; i < 16; i++ {
		g.keys = append(g.keys, fmt.Sprintf("k%d", i))
	}
	g.keys = append(g.keys, "ключ", "日本語", "a/b:c", "~!@#$%^&*()")
	for i := 0; i < 3; i++ {
		g.keys = append(g.keys, fmt.Sprintf("L%d", i)+strings.Repeat("x", 248))
	}
	g.tooLong = []string{"T" + strings.Repeat("y", 250), strings.Repeat("z", 300)}
	g.binKeys = []string{"bin:1", "bin:two", "bin:3xyz"}
	g.bigKeys = []string{"big0", "big1"}
	return g
}

func (g *gen) pick(s ...string) string { return s[g.r.IntN(len(s))] }
func (g *gen) chance(p float64) bool   { return g.r.Float64() < p }
func (g *gen) key() string             { return g.keys[g.r.IntN(len(g.keys))] }

// textKey is a key for a text command: now and then one over 250 bytes.
func (g *gen) textKey() string {
	if g.chance(0.03) {
		return g.tooLong[g.r.IntN(len(g.tooLong))]
	}
	return g.key()
}

func (g *gen) value() string {
	switch x := g.r.IntN(100); {
	case x < 15:
		return g.pick("0", "1", "10", "99", "100", "9223372036854775807", "18446744073709551610", " 12", "abc", "")
	case x < 60:
		return g.random(g.r.IntN(40))
	case x < 85:
		return g.random(40 + g.r.IntN(100))
	case x < 97:
		return g.random(100 + g.r.IntN(2000))
	}
	return g.random(10000 + g.r.IntN(30000))
}

func (g *gen) random(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = valueAlphabet[g.r.IntN(len(valueAlphabet))]
	}
	return string(b)
}

// exptime is an exptime the two servers read alike however long the test takes: never,
// far enough ahead, or already past (if expired).
func (g *gen) exptime(expired bool) string {
	x := g.r.IntN(100)
	if expired && x < 20 {
		return g.pick("-1", "-100000", strconv.FormatInt(g.now-1000, 10), "2592001", "99999999999", "-99999999999")
	}
	switch {
	case x < 50:
		return "0"
	case x < 80:
		return strconv.Itoa(100 + g.r.IntN(100000))
	case x < 95:
		return strconv.FormatInt(g.now+1000+g.r.Int64N(1e6), 10)
	}
	return g.pick("+3600", "86400", "2592000")
}

func (g *gen) flags() string {
	if g.chance(0.05) {
		return g.pick("4294967295", "4294967296", "-0", "+7", "-1", "abc", "1.5", "99999999999999999999")
	}
	if g.chance(0.5) {
		return "0"
	}
	return strconv.Itoa(g.r.IntN(1 << 16))
}

// casArg appends a CAS id for key: its newest, another seen, or none that matches. It
// reports whether the id is a number memcached takes.
func (g *gen) casArg(st *step, key string) bool {
	l, ok := g.cas.latest[key]
	switch x := g.r.IntN(10); {
	case x < 5 && ok:
		st.parts = append(st.parts, part{label: l})
	case x < 7 && len(g.cas.ids) > 0:
		st.parts = append(st.parts, part{label: g.cas.randomLabel(g.r)})
	case x < 8:
		st.lit("0")
	case x < 9:
		st.lit(g.pick("999999999999", "18446744073709551615"))
	default:
		st.lit(g.pick("abc", "-1"))
		return false
	}
	return true
}

func (g *gen) next() *step {
	switch x := g.r.IntN(1000); {
	case x < 280:
		return g.storage()
	case x < 400:
		return g.get()
	case x < 440:
		return g.touch()
	case x < 500:
		return g.delete()
	case x < 580:
		return g.arith()
	case x < 590:
		return g.flush()
	case x < 610:
		return g.misc()
	case x < 630:
		return g.big()
	case x < 640:
		return g.closing()
	}
	return g.meta()
}
