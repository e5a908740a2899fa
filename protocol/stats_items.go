package protocol

import (
	"strconv"

	"github.com/plibcached/plibcached/plib"
)

// itemStats is "stats items": memcached's per-class item figures, with its LRU maintainer
// off (one LRU per class, as kv has). age (seconds since the LRU tail's last access),
// tailrepairs, expired_unfetched and the crawler and reflock counters are 0: kv keeps no
// tail ages and has no crawler, reference counts or tail repairs.
func (s *Server) itemStats(b []byte) []byte {
	st, _, _ := s.snapshot()
	for _, sl := range st.Slabs {
		if sl.Items == 0 {
			continue // memcached lists classes that hold items
		}
		p := "items:" + strconv.Itoa(sl.Class) + ":"
		for _, f := range []struct {
			name string
			v    uint64
		}{
			{"number", sl.Items}, {"age", 0}, {"mem_requested", sl.Bytes},
			{"evicted", sl.Evictions}, {"evicted_nonzero", sl.EvictedNonzero},
			{"evicted_time", sl.EvictedTime}, {"outofmemory", sl.OutOfMemory},
			{"tailrepairs", 0}, {"reclaimed", sl.Reclaimed},
			{"expired_unfetched", 0}, {"evicted_unfetched", sl.EvictedUnfetched},
			{"crawler_reclaimed", 0}, {"crawler_items_checked", 0}, {"lrutail_reflocked", 0},
		} {
			b = statU(b, p+f.name, f.v)
		}
	}
	return b
}

// slabStats is "stats slabs": memcached's per-class figures that kv keeps (memcached's
// per-class hit counters are not kept: kv counts hits per client slot, not per class),
// then active_slabs and total_malloced (pages handed to classes, in bytes).
func (s *Server) slabStats(b []byte) []byte {
	st := s.be.Stats()
	var malloced uint64
	active := 0
	for _, sl := range st.Slabs {
		if sl.TotalPages == 0 {
			continue
		}
		active++
		p := strconv.Itoa(sl.Class) + ":"
		b = statU(b, p+"chunk_size", sl.ChunkSize)
		b = statU(b, p+"chunks_per_page", sl.ChunksPerPage)
		b = statU(b, p+"total_pages", sl.TotalPages)
		b = statU(b, p+"total_chunks", sl.TotalChunks)
		b = statU(b, p+"used_chunks", sl.UsedChunks)
		b = statU(b, p+"free_chunks", sl.FreeChunks)
		b = statU(b, p+"free_chunks_end", 0)
		malloced += sl.TotalPages * st.PageSize
	}
	b = stat(b, "active_slabs", active)
	return statU(b, "total_malloced", malloced)
}

// processCachedump is "stats cachedump CLASS LIMIT": up to LIMIT keys of the class, most
// recently used first, with their value length and expiry, as memcached prints them.
func (c *conn) processCachedump() {
	tk := &c.tk
	if tk.n < 5 {
		c.outString("CLIENT_ERROR bad command line")
		return
	}
	id, ok1 := safeStrtoul(tk.t[2])
	limit, ok2 := safeStrtoul(tk.t[3])
	if !ok1 || !ok2 {
		c.outString(rBadFormat)
		return
	}
	if id >= 64 { // memcached's MAX_NUMBER_OF_SLAB_CLASSES
		c.outString("CLIENT_ERROR Illegal slab id")
		return
	}
	s := c.acquire()
	if s == nil {
		return
	}
	items, err := s.CacheDump(int(id), int(limit))
	c.release(s)
	if err != nil {
		c.outString(c.serverError(err))
		return
	}
	c.out = appendDump(c.out, items)
}

// appendDump formats cachedump's lines: "ITEM key [len b; exptime s]" and END.
func appendDump(b []byte, items []plib.DumpEntry) []byte {
	for _, it := range items {
		b = append(b, "ITEM "...)
		b = append(b, it.Key...)
		b = append(b, " ["...)
		b = strconv.AppendInt(b, int64(it.Len), 10)
		b = append(b, " b; "...)
		b = strconv.AppendInt(b, it.Exp, 10)
		b = append(b, " s]\r\n"...)
	}
	return append(b, "END\r\n"...)
}
