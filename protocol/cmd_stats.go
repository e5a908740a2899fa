package protocol

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"syscall"
	"time"

	"github.com/plibcached/plibcached/kv"
)

// processStats runs stats: the general statistics, "stats settings" and "stats slabs",
// under memcached's names where plibd has the value. Other subcommands (items, sizes,
// conns, detail, reset, cachedump, extstore) get ERROR: the store keeps no per-item ages
// or size histograms, and its counters live in the shared segment, which one client
// does not reset for all.
func (c *conn) processStats() {
	tk := &c.tk
	var lines []byte
	switch {
	case tk.n == 2:
		lines = c.srv.generalStats(lines)
	case string(tk.t[1]) == "settings":
		lines = c.srv.settingsStats(lines)
	case string(tk.t[1]) == "slabs":
		lines = slabStats(lines, c.srv.be.Stats())
	default:
		c.outString(rError)
		return
	}
	c.out = append(c.out, lines...)
	c.out = append(c.out, "END\r\n"...)
}

func stat(b []byte, name string, v any) []byte {
	return fmt.Appendf(b, "STAT %s %v\r\n", name, v)
}

// counters sums the connection counters, live and gone, into sum.
func (s *Server) counters(sum *connCounters) (cur int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sum.add(&s.closed)
	for c := range s.conns {
		sum.add(&c.counters)
	}
	return len(s.conns)
}

func (s *Server) generalStats(b []byte) []byte {
	st := s.be.Stats()
	var cs connCounters
	cur := s.counters(&cs)
	now := time.Now()
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	b = stat(b, "pid", os.Getpid())
	b = stat(b, "uptime", int64(now.Sub(s.started).Seconds()))
	b = stat(b, "time", now.Unix())
	b = stat(b, "version", s.cfg.Version)
	b = stat(b, "pointer_size", strconv.IntSize)
	b = fmt.Appendf(b, "STAT rusage_user %d.%06d\r\n", ru.Utime.Sec, ru.Utime.Usec)
	b = fmt.Appendf(b, "STAT rusage_system %d.%06d\r\n", ru.Stime.Sec, ru.Stime.Usec)
	b = stat(b, "max_connections", s.cfg.MaxConns)
	b = stat(b, "curr_connections", cur)
	b = stat(b, "total_connections", s.totalConns.Load())
	b = stat(b, "rejected_connections", s.rejected.Load())
	for _, kv := range []struct {
		name string
		v    uint64
	}{
		{"cmd_get", st.CmdGet}, {"cmd_set", st.CmdSet}, {"cmd_flush", st.CmdFlush + cs.flushRefused.Load()},
		{"cmd_touch", st.CmdTouch}, {"cmd_meta", cs.cmdMeta.Load()},
		{"get_hits", st.GetHits}, {"get_misses", st.GetMisses},
		{"get_expired", st.GetExpired}, {"get_flushed", st.GetFlushed},
		{"delete_misses", st.DeleteMisses}, {"delete_hits", st.DeleteHits},
		{"incr_misses", st.IncrMisses + cs.incrMisses.Load()}, {"incr_hits", st.IncrHits + cs.incrHits.Load()},
		{"decr_misses", st.DecrMisses + cs.decrMisses.Load()}, {"decr_hits", st.DecrHits + cs.decrHits.Load()},
		{"cas_misses", st.CasMisses}, {"cas_hits", st.CasHits}, {"cas_badval", st.CasBadval},
		{"touch_hits", st.TouchHits}, {"touch_misses", st.TouchMisses},
		{"store_too_large", cs.storeTooLarge.Load()},
		{"store_no_memory", cs.storeNoMemory.Load() + st.OutOfMemory},
		{"bytes_read", cs.bytesRead.Load()}, {"bytes_written", cs.bytesWritten.Load()},
		{"limit_maxbytes", st.LimitBytes}, {"idle_kicks", s.idleKicks.Load()}, {"conn_yields", cs.yields.Load()},
	} {
		b = stat(b, kv.name, kv.v)
	}
	b = stat(b, "accepting_conns", 1)
	b = stat(b, "threads", runtime.GOMAXPROCS(0))
	b = stat(b, "hash_power_level", st.HashPower)
	b = stat(b, "hash_bytes", st.HashBytes)
	b = stat(b, "hash_is_expanding", btoi(st.HashExpanding))
	b = stat(b, "bytes", st.Bytes)
	b = stat(b, "curr_items", st.CurrItems)
	b = stat(b, "total_items", st.TotalItems)
	b = stat(b, "evictions", st.Evictions)
	return stat(b, "reclaimed", st.Reclaimed)
}

func (s *Server) settingsStats(b []byte) []byte {
	st := s.be.Stats()
	b = stat(b, "maxbytes", st.LimitBytes)
	b = stat(b, "maxconns", s.cfg.MaxConns)
	b = stat(b, "evictions", "on")
	b = stat(b, "cas_enabled", "yes")
	b = stat(b, "item_size_max", s.cfg.ItemSizeMax)
	b = stat(b, "num_threads", runtime.GOMAXPROCS(0))
	return stat(b, "flush_enabled", "yes")
}

// slabStats is "stats slabs": memcached's per-class figures the store keeps.
func slabStats(b []byte, st kv.Stats) []byte {
	var malloced uint64
	for _, sl := range st.Slabs {
		p := strconv.Itoa(sl.Class) + ":"
		b = stat(b, p+"chunk_size", sl.ChunkSize)
		b = stat(b, p+"chunks_per_page", sl.ChunksPerPage)
		b = stat(b, p+"total_pages", sl.TotalPages)
		b = stat(b, p+"total_chunks", sl.TotalChunks)
		b = stat(b, p+"used_chunks", sl.UsedChunks)
		b = stat(b, p+"free_chunks", sl.FreeChunks)
		malloced += sl.TotalPages * sl.ChunkSize * sl.ChunksPerPage
	}
	b = stat(b, "active_slabs", len(st.Slabs))
	return stat(b, "total_malloced", malloced)
}
