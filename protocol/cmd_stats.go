package protocol

import (
	"fmt"
	"strconv"
)

// processStats runs stats and its subcommands as memcached's process_stat dispatches
// them: the general statistics, reset, detail, settings, cachedump, conns, then items,
// slabs and sizes; anything else (extstore among them: plibd has none) is ERROR. Where
// memcached has a figure for a feature plibd lacks, plibd reports it as memcached does
// with that feature disabled (stats_general.go says which).
func (c *conn) processStats() {
	tk := &c.tk
	if tk.n == 2 {
		c.out = c.srv.generalStats(c.out)
		c.out = append(c.out, "END\r\n"...)
		return
	}
	sub := string(tk.t[1])
	switch {
	case sub == "reset":
		c.srv.resetStats()
		c.outString("RESET")
		return
	case sub == "detail":
		c.processStatsDetail()
		return
	case sub == "settings":
		c.out = c.srv.settingsStats(c.out)
	case sub == "cachedump":
		c.processCachedump()
		return
	case sub == "conns":
		c.out = c.srv.connStats(c.out)
	case sub == "items":
		c.out = c.srv.itemStats(c.out)
	case sub == "slabs":
		c.out = c.srv.slabStats(c.out)
	case sub == "sizes":
		// memcached tracks a histogram of item sizes only with -o track_sizes (or after
		// "stats sizes_enable"), which plibd's store does not keep.
		c.out = stat(c.out, "sizes_status", "disabled")
	case sub == "sizes_enable" || sub == "sizes_disable":
		c.outString("ERROR") // what memcached says when it cannot switch the histogram
		return
	default:
		c.outString(rError)
		return
	}
	c.out = append(c.out, "END\r\n"...)
}

func stat(b []byte, name string, v any) []byte {
	return fmt.Appendf(b, "STAT %s %v\r\n", name, v)
}

func statU(b []byte, name string, v uint64) []byte {
	b = append(b, "STAT "...)
	b = append(b, name...)
	b = append(b, ' ')
	b = strconv.AppendUint(b, v, 10)
	return append(b, "\r\n"...)
}
