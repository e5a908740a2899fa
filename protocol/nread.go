package protocol

import "github.com/plibcached/plibcached/plib"

// A storage command (set and its kin, ms) runs in two steps, as memcached's conn_nread
// state splits it: the command line is parsed and checked, then the command waits for
// its data (the value and CRLF) and completes. On a connection's own goroutine the wait
// is a read; in an event loop the connection is parked until the data
// has arrived, and serves no other command meanwhile.

// nread kinds: what completes when the data is in.
const (
	nreadNone = iota
	nreadUpdate
	nreadMset
)

// nread is a storage command waiting for its data.
type nread struct {
	kind    int
	mode    plib.StoreMode
	n       int    // the data's length, CRLF included
	key     []byte // in conn.keyBuf: the line goes when the data is read
	flags   uint32
	exptime int32
	cas     uint64
	of      metaFlags // ms's flags
}

// readNread completes the waiting storage command if its data can be had: at once with
// a blocking read, or, in an event loop or a datagram, when it is already buffered (else
// the loop completes it when it arrives: runInput; a datagram drops it: runDatagram).
func (c *conn) readNread() {
	if (c.loop != nil || c.datagram) && c.w-c.r < c.nread.n {
		c.state.Store(stateNread)
		return
	}
	data, err := c.readData(c.nread.n)
	if err != nil {
		c.nread.kind = nreadNone
		c.quit = true
		return
	}
	c.completeNread(data)
}

// completeNread runs the waiting storage command over its data.
func (c *conn) completeNread(data []byte) {
	kind := c.nread.kind
	c.nread.kind = nreadNone
	switch kind {
	case nreadUpdate:
		c.completeUpdate(data)
	case nreadMset:
		c.completeMset(data)
	}
}
