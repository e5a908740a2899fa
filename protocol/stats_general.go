package protocol

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"syscall"
	"time"

	"github.com/plibcached/plibcached/plib"
)

// The general "stats" list: memcached 1.6.18's keys in its order, as it prints them with
// its LRU crawler and maintainer threads off (no_lru_crawler, no_lru_maintainer), which
// is what plibd is: kv has one LRU per class and reclaims expired items on allocation. For
// a feature plibd lacks, the figure is what memcached reports with it off: libevent
// "none" (plibd uses Go's poller), auth_* 0 (no SASL), the response-object pool, reserved
// descriptors, listen_disabled_*, slab_reassign_*, malloc_fails, log_* (no "watch"),
// napi ids and crawler_* 0; expired_unfetched, evicted_unfetched and lrutail_reflocked 0
// (kv does not count them).

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

// snapshot is the statistics "stats" reports: the store's and the connections' since the
// last "stats reset".
func (s *Server) snapshot() (plib.Stats, connFigures, int) {
	st := s.be.Stats()
	var cs connCounters
	cur := s.counters(&cs)
	f := cs.figures()
	s.mu.Lock()
	base, cbase := s.statsBase, s.connBase
	s.mu.Unlock()
	subStats(&st, &base)
	f.sub(&cbase)
	return st, f, cur
}

// resetStats is "stats reset": the counters start again from zero for this server; the
// store's own counters, shared with every process on the segment, are left alone.
func (s *Server) resetStats() {
	st := s.be.Stats()
	var cs connCounters
	s.counters(&cs)
	s.mu.Lock()
	s.statsBase, s.connBase = st, cs.figures()
	s.connBase.totalConnsBase, s.connBase.rejectedBase = s.totalConns.Load(), s.rejected.Load()
	s.mu.Unlock()
	s.prefixes.clear()
}

func (s *Server) generalStats(b []byte) []byte {
	st, cs, cur := s.snapshot()
	now := time.Now()
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	b = stat(b, "pid", os.Getpid())
	b = stat(b, "uptime", int64(now.Sub(s.started).Seconds()))
	b = stat(b, "time", now.Unix())
	b = stat(b, "version", s.cfg.Version)
	b = stat(b, "libevent", "none")
	b = stat(b, "pointer_size", strconv.IntSize)
	b = fmt.Appendf(b, "STAT rusage_user %d.%06d\r\n", ru.Utime.Sec, ru.Utime.Usec)
	b = fmt.Appendf(b, "STAT rusage_system %d.%06d\r\n", ru.Stime.Sec, ru.Stime.Usec)
	b = stat(b, "max_connections", s.cfg.MaxConns)
	b = stat(b, "curr_connections", cur)
	b = statU(b, "total_connections", s.totalConns.Load()-cs.totalConnsBase)
	b = statU(b, "rejected_connections", s.rejected.Load()-cs.rejectedBase)
	b = stat(b, "connection_structures", cur+s.listenerCount())
	b = statU(b, "response_obj_oom", s.respOOM.Load())
	for _, name := range []string{"response_obj_count", "response_obj_bytes"} {
		b = stat(b, name, 0)
	}
	b = stat(b, "read_buf_count", cur)
	b = statU(b, "read_buf_bytes", s.readBufBytes.Load())
	b = stat(b, "read_buf_bytes_free", 0)
	b = stat(b, "read_buf_oom", 0)
	b = stat(b, "reserved_fds", 0)
	for _, v := range []struct {
		name string
		v    uint64
	}{
		{"cmd_get", st.CmdGet}, {"cmd_set", st.CmdSet}, {"cmd_flush", st.CmdFlush + cs.flushRefused},
		{"cmd_touch", st.CmdTouch}, {"cmd_meta", cs.cmdMeta},
		{"get_hits", st.GetHits}, {"get_misses", st.GetMisses},
		{"get_expired", st.GetExpired}, {"get_flushed", st.GetFlushed},
		{"delete_misses", st.DeleteMisses}, {"delete_hits", st.DeleteHits},
		{"incr_misses", st.IncrMisses + cs.incrMisses}, {"incr_hits", st.IncrHits + cs.incrHits},
		{"decr_misses", st.DecrMisses + cs.decrMisses}, {"decr_hits", st.DecrHits + cs.decrHits},
		{"cas_misses", st.CasMisses}, {"cas_hits", st.CasHits}, {"cas_badval", st.CasBadval},
		{"touch_hits", st.TouchHits}, {"touch_misses", st.TouchMisses},
		{"store_too_large", cs.storeTooLarge},
		{"store_no_memory", cs.storeNoMemory},
		{"auth_cmds", 0}, {"auth_errors", 0},
		{"idle_kicks", s.idleKicks.Load()}, // only with an idle timeout, as memcached
		{"bytes_read", cs.bytesRead}, {"bytes_written", cs.bytesWritten},
		{"limit_maxbytes", st.TotalPages * st.PageSize},
		{"accepting_conns", 1}, {"listen_disabled_num", 0}, {"time_in_listen_disabled_us", 0},
		{"threads", uint64(runtime.GOMAXPROCS(0))}, {"conn_yields", cs.yields},
		{"hash_power_level", uint64(st.HashPower)}, {"hash_bytes", st.HashBytes},
		{"hash_is_expanding", uint64(btoi(st.HashExpanding))},
		{"slab_reassign_rescues", 0}, {"slab_reassign_chunk_rescues", 0},
		{"slab_reassign_evictions_nomem", 0}, {"slab_reassign_inline_reclaim", 0},
		{"slab_reassign_busy_items", 0}, {"slab_reassign_busy_deletes", 0},
		{"slab_reassign_running", 0}, {"slabs_moved", 0},
		{"malloc_fails", 0}, {"log_worker_dropped", 0}, {"log_worker_written", 0},
		{"log_watcher_skipped", 0}, {"log_watcher_sent", 0}, {"log_watchers", 0},
		{"unexpected_napi_ids", 0}, {"round_robin_fallback", 0},
		{"bytes", st.Bytes}, {"curr_items", st.CurrItems}, {"total_items", st.TotalItems},
		{"slab_global_page_pool", st.FreePages + st.UnusedPages},
		{"expired_unfetched", 0}, {"evicted_unfetched", 0},
		{"evictions", st.Evictions}, {"reclaimed", st.Reclaimed},
		{"crawler_reclaimed", 0}, {"crawler_items_checked", 0}, {"lrutail_reflocked", 0},
	} {
		if v.name == "idle_kicks" && s.cfg.IdleTimeout == 0 {
			continue
		}
		b = statU(b, v.name, v.v)
	}
	return b
}

// subStats takes base's counters (a "stats reset" snapshot) off st's. Gauges (items,
// bytes, pages) are left alone, as memcached's reset leaves them.
func subStats(st, base *plib.Stats) {
	for _, p := range []struct{ v, b *uint64 }{
		{&st.CmdGet, &base.CmdGet}, {&st.CmdSet, &base.CmdSet}, {&st.CmdTouch, &base.CmdTouch},
		{&st.CmdFlush, &base.CmdFlush}, {&st.TotalItems, &base.TotalItems},
		{&st.GetHits, &base.GetHits}, {&st.GetMisses, &base.GetMisses},
		{&st.GetExpired, &base.GetExpired}, {&st.GetFlushed, &base.GetFlushed},
		{&st.DeleteHits, &base.DeleteHits}, {&st.DeleteMisses, &base.DeleteMisses},
		{&st.IncrHits, &base.IncrHits}, {&st.IncrMisses, &base.IncrMisses},
		{&st.DecrHits, &base.DecrHits}, {&st.DecrMisses, &base.DecrMisses},
		{&st.CasHits, &base.CasHits}, {&st.CasMisses, &base.CasMisses}, {&st.CasBadval, &base.CasBadval},
		{&st.TouchHits, &base.TouchHits}, {&st.TouchMisses, &base.TouchMisses},
		{&st.Evictions, &base.Evictions}, {&st.Reclaimed, &base.Reclaimed}, {&st.OutOfMemory, &base.OutOfMemory},
	} {
		*p.v -= min(*p.b, *p.v)
	}
	for i := range st.Slabs {
		for _, bs := range base.Slabs {
			if bs.Class == st.Slabs[i].Class {
				ss := &st.Slabs[i]
				ss.Evictions -= min(bs.Evictions, ss.Evictions)
				ss.Reclaimed -= min(bs.Reclaimed, ss.Reclaimed)
				ss.OutOfMemory -= min(bs.OutOfMemory, ss.OutOfMemory)
			}
		}
	}
}
