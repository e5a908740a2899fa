package protocol

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strconv"
)

// normalised is a reply with its CAS ids, TTLs and ages taken out.
type normalised struct {
	text    []byte
	cas     []uint64
	casKeys []string // the key of each CAS id from a VALUE line; "" from a meta reply
	fuzzy   []int64
}

// normalise replaces the CAS ids of VALUE lines and of meta replies' c flags with "#",
// and the numbers of their t and l flags too, collecting them; values are kept verbatim.
func normalise(r []byte) normalised {
	var n normalised
	for len(r) > 0 {
		j := bytes.Index(r, []byte("\r\n"))
		if j < 0 {
			n.text = append(n.text, r...)
			break
		}
		line := r[:j]
		r = r[j+2:]
		fields := bytes.Split(line, []byte(" "))
		data := -1
		switch {
		case string(fields[0]) == "VALUE" && len(fields) >= 4:
			data, _ = strconv.Atoi(string(fields[3]))
			if len(fields) == 5 {
				v, _ := strconv.ParseUint(string(fields[4]), 10, 64)
				n.cas, n.casKeys = append(n.cas, v), append(n.casKeys, string(fields[1]))
				fields[4] = []byte("#")
			}
		case isMetaStatus(fields[0]):
			if string(fields[0]) == "VA" && len(fields) > 1 {
				data, _ = strconv.Atoi(string(fields[1]))
			}
			for i, f := range fields[1:] {
				v, err := strconv.ParseUint(string(f[min(1, len(f)):]), 10, 64)
				if err != nil || len(f) < 2 {
					continue
				}
				switch f[0] {
				case 'c':
					n.cas, n.casKeys = append(n.cas, v), append(n.casKeys, "")
				case 't', 'l':
					n.fuzzy = append(n.fuzzy, int64(v))
				default:
					continue
				}
				fields[i+1] = []byte{f[0], '#'}
			}
		}
		n.text = append(n.text, bytes.Join(fields, []byte(" "))...)
		n.text = append(n.text, "\r\n"...)
		if data >= 0 && data+2 <= len(r) {
			n.text = append(n.text, r[:data+2]...)
			r = r[data+2:]
		}
	}
	return n
}

func isMetaStatus(f []byte) bool {
	switch string(f) {
	case "HD", "VA", "EN", "NF", "NS", "EX":
		return true
	}
	return false
}

// casMap pairs the CAS ids of the two servers: the same logical version has one id on
// each, and the pairing must stay one-to-one.
type casMap struct {
	byID   [2]map[uint64]int
	ids    [][2]uint64
	latest map[string]int // key -> label of the newest CAS id seen for it
}

func (m *casMap) pair(a, b uint64, key string) error {
	if a == 0 && b == 0 {
		return nil
	}
	la, oka := m.byID[0][a]
	lb, okb := m.byID[1][b]
	switch {
	case oka && okb && la == lb:
	case !oka && !okb:
		la = len(m.ids)
		m.ids = append(m.ids, [2]uint64{a, b})
		m.byID[0][a], m.byID[1][b] = la, la
	default:
		return fmt.Errorf("CAS ids %d (memcached) and %d (plibd) do not correspond", a, b)
	}
	if key != "" {
		m.latest[key] = la
	}
	return nil
}

// randomLabel picks a CAS label seen before, or -1 if there is none.
func (m *casMap) randomLabel(r *rand.Rand) int {
	if len(m.ids) == 0 {
		return -1
	}
	return r.IntN(len(m.ids))
}

// clip shortens a reply for a failure message.
func clip(b []byte) []byte {
	if len(b) > 4000 {
		return append(b[:4000:4000], "..."...)
	}
	return b
}
