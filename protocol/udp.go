package protocol

import (
	"bytes"
	"encoding/binary"
	"net"
)

// memcached's UDP framing (its -U): every datagram starts with an 8-byte frame header,
// request id, sequence number, datagram count and two reserved bytes, all big-endian.
// A request is one datagram (memcached drops requests that claim more); the reply is
// cut into datagrams of at most 1400 bytes, each with the request's id, its sequence
// number and the count. The text and meta commands run as on a stream, except that a
// storage command's data must be in the same datagram, and what does not fit is dropped.
const (
	udpHeaderLen  = 8
	udpMaxPayload = 1400 // memcached's UDP_MAX_PAYLOAD_SIZE, header included
	udpReadSize   = 65536
)

// ServeUDP serves memcached's text protocol over UDP on pc until pc fails or the server
// shuts down; then it returns ErrServerClosed. It closes pc. Each datagram's commands
// borrow a session from the Backend, as a connection served by a goroutine does.
func (s *Server) ServeUDP(pc net.PacketConn) error {
	s.mu.Lock()
	if s.shutdown.Load() {
		s.mu.Unlock()
		pc.Close()
		return ErrServerClosed
	}
	s.packets[pc] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.packets, pc)
		s.mu.Unlock()
		pc.Close()
	}()
	c := &conn{srv: s, datagram: true, respLeft: -1, protoKnown: true}
	buf := make([]byte, udpReadSize)
	for {
		n, addr, err := pc.ReadFrom(buf)
		if err != nil {
			if s.shutdown.Load() {
				return ErrServerClosed
			}
			return err
		}
		if n <= udpHeaderLen || buf[4] != 0 || buf[5] != 1 {
			continue // no command, or a request of several datagrams: dropped, as memcached does
		}
		c.counters.bytesRead.Add(uint64(n))
		c.rbuf, c.r, c.w, c.scanned = buf[:n], udpHeaderLen, n, 0
		c.out = c.out[:0]
		c.runDatagram()
		sent := sendDatagrams(pc, addr, binary.BigEndian.Uint16(buf[0:2]), c.out)
		c.counters.bytesWritten.Add(uint64(sent))
		s.mu.Lock()
		s.closed.add(&c.counters) // counted at once: a datagram is a connection of its own
		s.mu.Unlock()
		c.counters.reset()
	}
}

// runDatagram runs the commands of one request datagram (c.rbuf[c.r:c.w]).
func (c *conn) runDatagram() {
	c.quit, c.swallowLeft = false, 0
	for !c.quit && c.r < c.w {
		i := bytes.IndexByte(c.rbuf[c.r:c.w], '\n')
		if i < 0 {
			return // an unfinished line: nothing more will come
		}
		line := c.rbuf[c.r : c.r+i]
		c.r += i + 1
		if len(line) > 1 && line[len(line)-1] == '\r' {
			line = line[:len(line)-1]
		}
		c.noreply = false
		c.process(line)
		if n := c.nread.n; c.nread.kind != nreadNone {
			if c.w-c.r < n {
				c.nread.kind = nreadNone // the data is not in this datagram
				return
			}
			c.r += n
			c.completeNread(c.rbuf[c.r-n : c.r])
		}
	}
}

// sendDatagrams sends reply to addr in frames of request id; it returns the bytes sent.
func sendDatagrams(pc net.PacketConn, addr net.Addr, id uint16, reply []byte) int {
	const data = udpMaxPayload - udpHeaderLen
	total := (len(reply) + data - 1) / data
	if total > 0xffff {
		total = 0xffff // memcached caps the count too
	}
	pkt := make([]byte, 0, udpMaxPayload)
	sent := 0
	for seq := 0; seq < total; seq++ {
		chunk := reply[seq*data : min(len(reply), (seq+1)*data)]
		pkt = binary.BigEndian.AppendUint16(pkt[:0], id)
		pkt = binary.BigEndian.AppendUint16(pkt, uint16(seq))
		pkt = binary.BigEndian.AppendUint16(pkt, uint16(total))
		pkt = append(pkt, 0, 0)
		pkt = append(pkt, chunk...)
		if n, err := pc.WriteTo(pkt, addr); err == nil {
			sent += n
		}
	}
	return sent
}
