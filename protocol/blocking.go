package protocol

import (
	"io"
	"net"
	"syscall"
)

// Blocking I/O (Config.BlockingIO): a connection's goroutine reads and writes its socket
// with plain blocking system calls, so the kernel wakes the thread waiting on it directly,
// as in a thread-per-connection server, instead of through the runtime's poller (epoll,
// then a goroutine hand-off between threads), which costs more than the command itself on
// a small request. It suits a few busy connections (a benchmark's, a client pool's); with
// many idle ones it holds a thread per connection.

// blockingFD puts nc's socket in blocking mode and returns its descriptor, or -1 if nc is
// not a TCP or unix socket (it is then served through the poller).
func blockingFD(nc net.Conn) int {
	sc, ok := nc.(syscall.Conn)
	if !ok {
		return -1
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return -1
	}
	fd := -1
	raw.Control(func(f uintptr) {
		if syscall.SetNonblock(int(f), false) == nil {
			fd = int(f)
		}
	})
	return fd
}

// read reads into b: one blocking read(2), or nc.Read.
func (c *conn) read(b []byte) (int, error) {
	if c.fd < 0 {
		return c.nc.Read(b)
	}
	for {
		n, err := syscall.Read(c.fd, b)
		switch {
		case err == syscall.EINTR:
			continue
		case err != nil:
			return 0, err
		case n == 0:
			return 0, io.EOF
		}
		return n, nil
	}
}

// write writes all of b: blocking write(2)s, or nc.Write.
func (c *conn) write(b []byte) (int, error) {
	if c.fd < 0 {
		return c.nc.Write(b)
	}
	done := 0
	for done < len(b) {
		n, err := syscall.Write(c.fd, b[done:])
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return done, err
		}
		done += n
	}
	return done, nil
}

// wake makes a connection blocked reading return: shutdown(2) of its read side, which
// deadlines cannot do for a blocking read.
func (c *conn) wake() {
	if c.fd < 0 {
		return
	}
	if cr, ok := c.nc.(interface{ CloseRead() error }); ok {
		cr.CloseRead()
	}
}
