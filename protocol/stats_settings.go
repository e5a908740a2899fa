package protocol

import (
	"net"
	"os"
	"runtime"
	"strconv"
)

// settingsStats is "stats settings": memcached 1.6.18's keys in its order. Settings that
// are plibd's report its values (memory, connection and item limits, -F, -R, -M,
// idle_timeout, its sockets); the rest report memcached's value for the behaviour plibd
// has: no SASL, LRU crawler or maintainer, segmented LRU, size histogram or memory
// file; slabs grown by 1.25 from 96-byte chunks; xxhash; CAS always on.
func (s *Server) settingsStats(b []byte) []byte {
	st := s.be.Stats()
	tcpPort, unixPath, umask := s.listenerSettings()
	evictions, flush, shutdown := "on", "yes", "no"
	if s.cfg.Shutdown != nil {
		shutdown = "yes"
	}
	if s.cfg.NoEvict {
		evictions = "off"
	}
	if s.cfg.FlushDisabled {
		flush = "no"
	}
	threads := runtime.GOMAXPROCS(0)
	for _, kv := range [][2]string{
		{"maxbytes", strconv.FormatUint(st.TotalPages*st.PageSize, 10)},
		{"maxconns", strconv.Itoa(s.cfg.MaxConns)},
		{"tcpport", strconv.Itoa(tcpPort)},
		{"udpport", strconv.Itoa(s.udpPort())},
		{"inter", "NULL"},
		{"verbosity", "0"},
		{"oldest", "0"},
		{"evictions", evictions},
		{"domain_socket", unixPath},
		{"umask", umask},
		{"shutdown_command", shutdown},
		{"growth_factor", "1.25"},
		{"chunk_size", "48"},
		{"num_threads", strconv.Itoa(threads)},
		{"num_threads_per_udp", strconv.Itoa(threads)},
		{"stat_key_prefix", ":"},
		{"detail_enabled", "no"},
		{"reqs_per_event", strconv.Itoa(s.cfg.ReqsPerEvent)},
		{"cas_enabled", yesNo(!s.cfg.CASDisabled)},
		{"tcp_backlog", strconv.Itoa(s.cfg.Backlog)},
		{"binding_protocol", s.cfg.Binding.String()},
		{"auth_enabled_sasl", "no"},
		{"auth_enabled_ascii", "no"},
		{"item_size_max", strconv.Itoa(s.cfg.ItemSizeMax)},
		{"maxconns_fast", "yes"},
		{"hashpower_init", "0"},
		{"slab_reassign", "yes"},
		{"slab_automove", "1"},
		{"slab_automove_ratio", "0.80"},
		{"slab_automove_window", "30"},
		{"slab_chunk_max", strconv.FormatUint(st.PageSize, 10)},
		{"lru_crawler", "no"},
		{"lru_crawler_sleep", "100"},
		{"lru_crawler_tocrawl", "0"},
		{"tail_repair_time", "0"},
		{"flush_enabled", flush},
		{"dump_enabled", "yes"},
		{"hash_algorithm", "xxhash"},
		{"lru_maintainer_thread", "no"},
		{"lru_segmented", "no"},
		{"hot_lru_pct", "20"},
		{"warm_lru_pct", "40"},
		{"hot_max_factor", "0.20"},
		{"warm_max_factor", "2.00"},
		{"temp_lru", "no"},
		{"temporary_ttl", "61"},
		{"idle_timeout", strconv.Itoa(int(s.cfg.IdleTimeout.Seconds()))},
		{"watcher_logbuf_size", "262144"},
		{"worker_logbuf_size", "65536"},
		{"read_buf_mem_limit", strconv.Itoa(s.cfg.ReadBufMemLimit)},
		{"track_sizes", "no"},
		{"inline_ascii_response", "no"},
		{"num_napi_ids", "(null)"},
		{"memory_file", "(null)"},
	} {
		b = stat(b, kv[0], kv[1])
	}
	return b
}

// listenerSettings are memcached's tcpport, domain_socket and umask (the unix socket's
// permission bits, octal) from the server's listeners.
func (s *Server) listenerSettings() (tcpPort int, unixPath, umask string) {
	unixPath, umask = "NULL", "700"
	s.mu.Lock()
	defer s.mu.Unlock()
	for l := range s.listeners {
		switch a := l.Addr().(type) {
		case *net.TCPAddr:
			if tcpPort == 0 {
				tcpPort = a.Port
			}
		case *net.UnixAddr:
			unixPath = a.Name
			if fi, err := os.Stat(a.Name); err == nil {
				umask = strconv.FormatUint(uint64(fi.Mode().Perm()), 8)
			}
		}
	}
	return tcpPort, unixPath, umask
}

// udpPort is the port of the UDP socket served, or 0.
func (s *Server) udpPort() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	for pc := range s.packets {
		if a, ok := pc.LocalAddr().(*net.UDPAddr); ok {
			return a.Port
		}
	}
	return 0
}

// listenerCount is the number of listeners open.
func (s *Server) listenerCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.listeners)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
