package protocol

import (
	"bytes"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
)

// prefixStats are memcached's "stats detail" figures: gets, hits, sets and deletes per
// key prefix (the key up to its first ':'), collected while "stats detail on" is in force
// and cleared by "stats reset".
type prefixStats struct {
	on atomic.Bool
	mu sync.Mutex
	m  map[string]*prefixCounts
}

type prefixCounts struct{ gets, hits, sets, dels uint64 }

// find returns key's prefix counters, or nil for a key without a ':'. Holds p.mu.
func (p *prefixStats) find(key []byte) *prefixCounts {
	i := bytes.IndexByte(key, ':')
	if i < 0 {
		return nil
	}
	if p.m == nil {
		p.m = map[string]*prefixCounts{}
	}
	pc := p.m[string(key[:i])]
	if pc == nil {
		pc = &prefixCounts{}
		p.m[string(key[:i])] = pc
	}
	return pc
}

// record counts a get (with hit), set or delete ('g', 's', 'd') of key when detail is on.
func (p *prefixStats) record(op byte, key []byte, hit bool) {
	if !p.on.Load() {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	pc := p.find(key)
	if pc == nil {
		return
	}
	switch op {
	case 'g':
		pc.gets++
		if hit {
			pc.hits++
		}
	case 's':
		pc.sets++
	case 'd':
		pc.dels++
	}
}

// dump appends memcached's "PREFIX p get g hit h set s del d" lines and END.
func (p *prefixStats) dump(b []byte) []byte {
	p.mu.Lock()
	defer p.mu.Unlock()
	names := make([]string, 0, len(p.m))
	for k := range p.m {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		pc := p.m[k]
		b = append(b, "PREFIX "...)
		b = append(b, k...)
		for _, f := range []struct {
			name string
			v    uint64
		}{{" get ", pc.gets}, {" hit ", pc.hits}, {" set ", pc.sets}, {" del ", pc.dels}} {
			b = append(b, f.name...)
			b = strconv.AppendUint(b, f.v, 10)
		}
		b = append(b, "\r\n"...)
	}
	return append(b, "END\r\n"...)
}

// clear forgets every prefix.
func (p *prefixStats) clear() {
	p.mu.Lock()
	p.m = nil
	p.mu.Unlock()
}

// processStatsDetail is "stats detail on|off|dump".
func (c *conn) processStatsDetail() {
	p := &c.srv.prefixes
	if c.tk.n < 4 {
		c.outString("CLIENT_ERROR usage: stats detail on|off|dump")
		return
	}
	switch string(c.tk.t[2]) {
	case "on":
		p.on.Store(true)
		c.outString("OK")
	case "off":
		p.on.Store(false)
		c.outString("OK")
	case "dump":
		c.out = p.dump(c.out)
	default:
		c.outString("CLIENT_ERROR usage: stats detail on|off|dump")
	}
}
