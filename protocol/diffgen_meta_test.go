package protocol

import (
	"encoding/base64"
	"strconv"
	"strings"
)

// metaKey is a key for a meta command, as sent, with the key its CAS ids belong to: a
// text key, or (if bin) a binary-pool key in base64 with the b flag. memcached remembers
// that an item's key is binary only when ms stores it whole (not when ms appends, nor
// when ma creates or rewrites it), and prints k accordingly; plibd prints k as the
// request's b says: so binary keys are stored only by ms in set, add or replace mode.
func (g *gen) metaKey(bin bool) (token, key string, binary bool) {
	if bin && g.chance(0.15) {
		k := g.binKeys[g.r.IntN(len(g.binKeys))]
		return base64.StdEncoding.EncodeToString([]byte(k)), k, true
	}
	k := g.textKey()
	return k, k, false
}

func (g *gen) opaque() string {
	if g.chance(0.03) {
		return "O" + strings.Repeat("9", 33)
	}
	return "O" + strconv.Itoa(g.r.IntN(100000))
}

// flagSet picks each candidate flag with probability p, then shuffles them.
func (g *gen) flagSet(p float64, cands ...string) []string {
	var fs []string
	for _, f := range cands {
		if g.chance(p) {
			fs = append(fs, f)
		}
	}
	g.r.Shuffle(len(fs), func(i, j int) { fs[i], fs[j] = fs[j], fs[i] })
	return fs
}

// spoil now and then makes a flag list invalid: a duplicate, an unknown flag, a bad
// number, or too many flags.
func (g *gen) spoil(fs []string, bad ...string) []string {
	switch x := g.r.IntN(100); {
	case x < 2 && len(fs) > 0:
		return append(fs, fs[0])
	case x < 4:
		return append(fs, g.pick(bad...))
	case x < 5:
		return append(fs, strings.Split(strings.Repeat("s ", 19), " ")[:19]...)
	}
	return fs
}

func (g *gen) meta() *step {
	switch g.r.IntN(10) {
	case 0, 1, 2, 3:
		return g.mget()
	case 4, 5, 6:
		return g.mset()
	case 7:
		return g.mdelete()
	}
	return g.marith()
}

func (g *gen) mget() *step {
	tok, key, bin := g.metaKey(true)
	cands := []string{"s", "v", "f", "t", "c", "k", "l", "q", g.opaque(), "T" + g.exptime(false)}
	if !g.uncertain[key] {
		cands = append(cands, "h")
	}
	fs := g.spoil(g.flagSet(0.3, cands...), "z", "E5", "Tabc", "T", "Fx", "b")
	if bin {
		fs = append(fs, "b")
	}
	st := &step{ncmd: 1, key: key}
	st.lit("mg ", tok)
	for _, f := range fs {
		st.lit(" ", f)
	}
	st.lit("\r\n")
	return st
}

func (g *gen) mset() *step {
	mode := g.pick("", "", "", "MS", "ME", "MA", "MP", "MR", "MA", "MP")
	tok, key, bin := g.metaKey(mode != "MA" && mode != "MP")
	val := g.value()
	if len(tok) > keyMaxLength {
		val = val[:min(len(val), 1000)] // refused: the data reads as a command line
	}
	if (mode == "MA" || mode == "MP") && g.size[key] > 100000 {
		mode = "MS"
	}
	cands := []string{"c", "k", "q", g.opaque(), "F" + g.flags(), "T" + g.exptime(true), "s", "v"}
	fs := g.spoil(g.flagSet(0.3, cands...), "MX", "MAA", "z", "Tabc", "Cabc")
	if mode != "" {
		fs = append(fs, mode)
	}
	if bin {
		fs = append(fs, "b")
	}
	if len(fs) > 15 {
		val = val[:min(len(val), 1000)] // refused: the data reads as a command line
	}
	st := &step{ncmd: 1, key: key}
	vlen := strconv.Itoa(len(val))
	if g.chance(0.03) {
		vlen = g.pick("abc", "-1")
		val = val[:min(len(val), 1000)] // read as a command line: keep it short
	}
	st.lit("ms ", tok, " ", vlen)
	for _, f := range fs {
		st.lit(" ", f)
	}
	if g.chance(0.3) {
		st.lit(" C")
		g.casArg(st, key)
		if mode == "MA" || mode == "MP" {
			g.uncertain[key] = true // plibd reads the item to check its CAS id
		}
	}
	data := val + "\r\n"
	if g.chance(0.03) {
		data = val + "xx\r\n" // bad data chunk
	}
	st.lit("\r\n", data)
	if mode == "MA" || mode == "MP" {
		g.size[key] += len(val)
	} else {
		g.size[key] = len(val)
	}
	return st
}

func (g *gen) mdelete() *step {
	tok, key, bin := g.metaKey(true)
	fs := g.spoil(g.flagSet(0.3, "q", "k", g.opaque(), "T100"), "z", "Cx", "x")
	if bin {
		fs = append(fs, "b")
	}
	st := &step{ncmd: 1, key: key}
	st.lit("md ", tok)
	for _, f := range fs {
		st.lit(" ", f)
	}
	if g.chance(0.4) {
		st.lit(" C")
		g.casArg(st, key)
	}
	st.lit("\r\n")
	return st
}

func (g *gen) marith() *step {
	tok, key, bin := g.metaKey(false)
	g.uncertain[key] = true // ma rewrites the item: the store's copy is not fetched
	delta := "D" + strconv.FormatUint(g.r.Uint64N(1000), 10)
	if g.chance(0.05) {
		delta = "D18446744073709551615"
	}
	cands := []string{"q", "k", "t", "c", "v", g.opaque(), delta, "J" + strconv.Itoa(g.r.IntN(1000)),
		g.pick("MI", "M+", "MD", "M-"), "N" + g.exptime(false), "T" + g.exptime(false)}
	fs := g.flagSet(0.35, cands...)
	t := false
	for _, f := range fs {
		t = t || f == "t"
	}
	if !t && g.chance(0.1) {
		fs = append(fs, g.pick("T-1", "N-1")) // expired at once; its t would read the clock
	}
	fs = g.spoil(fs, "MX", "Dabc", "Jx", "M++", "z")
	if bin {
		fs = append(fs, "b")
	}
	st := &step{ncmd: 1, key: key, arithKey: key}
	g.number(st, key)
	st.lit("ma ", tok)
	for _, f := range fs {
		st.lit(" ", f)
	}
	if g.chance(0.3) {
		st.lit(" C")
		g.casArg(st, key)
	}
	st.lit("\r\n")
	for _, f := range fs {
		if f == "q" {
			st.lit("mg ", tok, " v\r\n") // show what the silent command did
			st.ncmd++
			break
		}
	}
	return st
}
