package protocol

import (
	"bytes"
	"strconv"
	"strings"
)

// storage is set, add, replace, append, prepend or cas, sometimes malformed.
func (g *gen) storage() *step {
	cmd := g.pick("set", "set", "set", "add", "replace", "append", "prepend", "cas")
	key := g.textKey()
	if (cmd == "append" || cmd == "prepend") && g.size[key] > 100000 {
		cmd = "set"
	}
	val := g.value()
	flags := g.flags()
	exptime := g.exptime(true)
	x := g.r.IntN(100)
	var casPart step
	casOK := cmd != "cas" || g.casArg(&casPart, key)
	if x >= 5 && x < 7 || !casOK || len(key) > keyMaxLength ||
		strings.Contains(" -1 abc 1.5 99999999999999999999 ", " "+flags+" ") {
		// A refused command line: its data is read as a command line, which must stay
		// short (memcached drops a connection whose line overflows its buffer).
		val = val[:min(len(val), 1000)]
	}
	st := &step{ncmd: 1}
	vlen := strconv.Itoa(len(val))
	data := val + "\r\n"
	switch {
	case x < 3 && len(val) > 1:
		vlen = strconv.Itoa(len(val) - 2) // bad data chunk; the rest reads as a line
	case x < 5:
		data = val + "\nx\r\n" // bad data chunk ending in "\nx"
		vlen = strconv.Itoa(len(val) + 1)
	case x < 7:
		vlen = g.pick("abc", "-1", "-5", "4294967297")
		if vlen == "4294967297" { // truncates to 1
			data = "z\r\n"
		}
	}
	st.lit(cmd, " ", key, " ", flags, " ", exptime, " ", vlen)
	if cmd == "cas" {
		st.lit(" ")
		st.parts = append(st.parts, casPart.parts...)
	}
	noreply := g.chance(0.15)
	if noreply {
		st.lit(" noreply")
	} else if g.chance(0.02) {
		st.lit(" extra")
	}
	st.lit("\r\n", data)
	switch cmd {
	case "append", "prepend":
		g.size[key] += len(val)
	default:
		g.size[key] = len(val)
	}
	if cmd == "set" && !noreply {
		st.after = func(r []byte) {
			if bytes.HasPrefix(r, []byte("STORED")) {
				delete(g.uncertain, key)
			}
		}
	}
	return st
}

// get is get, gets, gat, gats or bget of one to many keys, now and then with a key over
// 250 bytes among them.
func (g *gen) get() *step {
	cmd := g.pick("get", "get", "gets", "gets", "gat", "gats", "bget")
	st := &step{ncmd: 1}
	st.lit(cmd)
	if cmd == "gat" || cmd == "gats" {
		st.lit(" ", g.exptime(g.chance(0.1)))
	}
	n := 1
	switch x := g.r.IntN(10); {
	case x < 3:
		n = 2 + g.r.IntN(4)
	case x < 4:
		n = 20 + g.r.IntN(40)
	}
	for i := 0; i < n; i++ {
		st.lit(" ", g.key())
		if g.chance(0.01) {
			st.lit(" ", g.tooLong[0])
		}
	}
	if g.chance(0.05) {
		st.lit("  ") // trailing spaces
	}
	st.lit("\r\n")
	return st
}

func (g *gen) touch() *step {
	key := g.textKey()
	g.uncertain[key] = true // memcached's touch marks the item fetched; the store's does not
	st := &step{ncmd: 1}
	exp := g.exptime(true)
	if g.chance(0.03) {
		exp = "abc"
	}
	st.lit("touch ", key, " ", exp)
	if g.chance(0.2) {
		st.lit(" noreply")
	}
	st.lit("\r\n")
	return st
}

func (g *gen) delete() *step {
	st := &step{ncmd: 1}
	st.lit("delete ", g.textKey(), g.pick("", "", "", "", " noreply", " 0", " 0 noreply", " 1", " 0 x", " a b c"), "\r\n")
	return st
}

func (g *gen) arith() *step {
	st := &step{ncmd: 1}
	delta := strconv.FormatUint(g.r.Uint64N(100), 10)
	if g.chance(0.1) {
		delta = g.pick("18446744073709551615", "18446744073709551616", "-1", "abc", "0", "+5", "9223372036854775808")
	}
	key := g.textKey()
	g.uncertain[key] = true // plibd reads the item and rewrites it (see doc.go)
	g.number(st, key)
	st.lit(g.pick("incr ", "decr "), key, " ", delta)
	st.arithKey = key
	if g.chance(0.15) {
		st.lit(" noreply\r\nmg ", key, " v") // show what the silent command did
		st.ncmd++
	}
	st.lit("\r\n")
	return st
}

// flush is flush_all in its forms. One that acts now is followed by a get of every key:
// memcached brings back flushed items a later delayed flush_all suspends its flush check
// for, until a lookup reclaims them, so they are reclaimed at once (see doc.go).
func (g *gen) flush() *step {
	st := &step{ncmd: 2}
	arg := g.pick("", "", " 0", " -1", " noreply", " 0 noreply", " abc", " 0 2", " 1 2 3",
		" 100000", " "+strconv.FormatInt(g.now+500000, 10), " 86400 noreply")
	st.lit("flush_all", arg, "\r\nget")
	for _, k := range append(append([]string{}, g.keys...), append(g.binKeys, g.bigKeys...)...) {
		st.lit(" ", k)
	}
	st.lit("\r\n")
	clear(g.size)
	return st
}

func (g *gen) misc() *step {
	st := &step{ncmd: 1}
	st.lit(g.pick("version", "version x", "verbosity 1", "verbosity", "verbosity x", "verbosity 1 noreply",
		"", " ", "\r", "foo", "GET k0", "get", "gets", "gat 10", "set k0", "sets k0 0 0 1", "x",
		"get k0\x00junk", "get k0\tk1", "m", "mx k0", "shutdown",
		"incr", "delete", "touch k0",
		"get "+strings.Repeat("a ", 30)+"b", "set "+strings.Repeat("a ", 30), "mg k0 "+strings.Repeat("v ", 25),
		"flush_all 1 2 3 4", "cas k0 0 0 1", "sfoo HTTP/1.1", "afoo", "cfoo", "ifoo", "dfoo", "tfoo"), "\r\n")
	return st
}

// big stores values at memcached's -I 1m boundary and beyond, which are swallowed.
func (g *gen) big() *step {
	key := g.bigKeys[g.r.IntN(len(g.bigKeys))]
	max := 1<<20 - itemOverhead - 2 - len(key)
	n := g.pick("max", "max", "over", "double", "small")
	size := map[string]int{"max": max, "over": max + 1, "double": 2 << 20, "small": 10}[n]
	st := &step{ncmd: 2}
	cmd := g.pick("set", "set", "add", "replace", "ms")
	if cmd == "ms" {
		st.lit("ms ", key, " ", strconv.Itoa(size), g.pick("", " MS", " ME", " MR", " q"), "\r\n")
	} else {
		st.lit(cmd, " ", key, " 0 0 ", strconv.Itoa(size), g.pick("", " noreply"), "\r\n")
	}
	st.lit(strings.Repeat("v", size), "\r\n", g.pick("get ", "mg ", "mg ", "gets ")+key+g.pick("", "", " s v", " s f"), "\r\n")
	return st
}

// closing is a command after which both servers close the connection.
func (g *gen) closing() *step {
	st := &step{ncmd: 2, closes: true}
	// Nothing before the closing line: whether memcached sends the replies of commands
	// that came in the same read before it closes depends on how its reads fall.
	switch g.r.IntN(3) {
	case 0:
		st.lit("get ", g.key(), "\r\nquit\r\nget k0\r\n")
	case 1:
		st.lit("GET / HTTP/1.1\r\n")
	default:
		st.lit(strings.Repeat("x", 3000))
	}
	return st
}

// number now and then sets key to a number first, in one of the forms memcached's
// strtoull reads (and the store's parser does not all read), so that arithmetic has
// numbers to work on.
func (g *gen) number(st *step, key string) {
	if !g.chance(0.4) || len(key) > keyMaxLength {
		return
	}
	v := g.pick("0", "7", "10", "99", "100", "1000", "12 abc", "+5", "007", " 42 ", "9223372036854775806",
		"18446744073709551610", "-0", "3\x00x", strconv.FormatUint(g.r.Uint64N(1<<40), 10))
	st.lit("set ", key, " 0 0 ", strconv.Itoa(len(v)), "\r\n", v, "\r\n")
	st.ncmd++
	delete(g.size, key)
}
