package protocol

import (
	"net"
	"sort"
	"strconv"
	"syscall"
	"time"
)

// memcached's names for the connection states "stats conns" reports.
const (
	stateWaiting  = iota // conn_waiting: waiting for a command
	stateParseCmd        // conn_parse_cmd: running a command
	stateNread           // conn_nread: reading a storage command's data
)

var stateNames = [...]string{"conn_waiting", "conn_parse_cmd", "conn_nread"}

// socketFD is nc's descriptor number, as memcached numbers connections in "stats conns".
func socketFD(nc any) int {
	sc, ok := nc.(syscall.Conn)
	if !ok {
		return -1
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return -1
	}
	fd := -1
	raw.Control(func(f uintptr) { fd = int(f) })
	return fd
}

// addrText is memcached's get_conn_text: "tcp:HOST:PORT", "unix:PATH", or "?:<AF 0>"
// for an address it cannot name (an unnamed unix peer).
func addrText(a net.Addr) string {
	switch a := a.(type) {
	case *net.TCPAddr:
		return "tcp:" + a.String()
	case *net.UDPAddr:
		return "udp:" + a.String()
	case *net.UnixAddr:
		if a.Name != "" && a.Name != "@" {
			return "unix:" + a.Name
		}
	}
	return "?:<AF 0>"
}

// connStats is "stats conns": each listener (conn_listening) and connection, by
// descriptor number, with its address, listener address, state and seconds since its
// last command.
func (s *Server) connStats(b []byte) []byte {
	type row struct {
		fd         int
		addr, lsn  string
		state      string
		secs       int64
		isListener bool
	}
	now := time.Now().Unix()
	var rows []row
	s.mu.Lock()
	for l := range s.listeners {
		rows = append(rows, row{fd: socketFD(l), addr: addrText(l.Addr()), state: "conn_listening",
			secs: now - s.started.Unix(), isListener: true})
	}
	for pc := range s.packets { // memcached lists a UDP socket as a connection reading
		rows = append(rows, row{fd: socketFD(pc), addr: addrText(pc.LocalAddr()), state: "conn_read",
			secs: now - s.started.Unix(), isListener: true})
	}
	for c := range s.conns {
		rows = append(rows, row{fd: c.fdNum, addr: addrText(c.remote), lsn: addrText(c.listenAddr),
			state: stateNames[c.state.Load()], secs: now - c.lastCmd.Load()})
	}
	s.mu.Unlock()
	sort.Slice(rows, func(i, j int) bool { return rows[i].fd < rows[j].fd })
	for _, r := range rows {
		p := strconv.Itoa(r.fd) + ":"
		b = stat(b, p+"addr", r.addr)
		if !r.isListener {
			b = stat(b, p+"listen_addr", r.lsn)
		}
		b = stat(b, p+"state", r.state)
		b = stat(b, p+"secs_since_last_cmd", r.secs)
	}
	return b
}
