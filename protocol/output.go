package protocol

// flush sends the pending output; in an event loop, what the socket takes now (the rest
// goes when it is writable).
func (c *conn) flush() error {
	if c.datagram {
		return nil // sent when the request is done
	}
	if c.loop != nil {
		return c.writeSome()
	}
	n, err := c.nc.Write(c.out)
	c.counters.bytesWritten.Add(uint64(n))
	c.out = c.out[:0]
	if cap(c.out) > maxIdleBuffer {
		c.out = make([]byte, 0, readBufferSize)
	}
	return err
}

// outString is memcached's out_string: one line, unless the command said noreply.
func (c *conn) outString(s string) {
	if c.noreply {
		return
	}
	c.out = append(c.out, s...)
	c.out = append(c.out, "\r\n"...)
}

// outErrString is memcached's out_errstring: a meta command's error, shown despite q.
func (c *conn) outErrString(s string) {
	c.noreply = false
	c.outString(s)
}

// setNoreplyMaybe is memcached's set_noreply_maybe: "noreply" as the last token.
func (c *conn) setNoreplyMaybe() bool {
	if string(c.tk.last()) == "noreply" {
		c.noreply = true
	}
	return c.noreply
}

// reserve makes room for n more bytes of output without changing its length.
func (c *conn) reserve(n int) {
	if cap(c.out)-len(c.out) < n {
		nb := make([]byte, len(c.out), max(2*cap(c.out), len(c.out)+n))
		copy(nb, c.out)
		c.out = nb
	}
}
