package protocol

// memcached's -o read_buf_mem_limit (Config.ReadBufMemLimit): a bound, per worker thread,
// on the memory its connections' network buffers take. memcached draws read buffers and
// bundles of response objects (one per command, and one per key of a multiget, until the
// reply is written) from 16 KiB buffers, limit/threads of them per thread; a command that
// finds none closes its connection unanswered, and a multiget that runs out mid-way is
// answered "SERVER_ERROR out of memory writing get response", each counted in
// response_obj_oom. plibd's event loops keep the same books in the same units: a loop
// has limit/loops bytes of 16 KiB buffers; the connection being served takes one for its
// input, every connection holding unfinished input one more, and replies not yet written
// take a response object each, respPerBundle to a buffer. With no limit (memcached's
// default) nothing is counted.

const (
	// respPerBundle is memcached 1.6.18's MAX_RESP_PER_BUNDLE on 64-bit Linux:
	// (16384 - sizeof(mc_resp_bundle)) / sizeof(mc_resp) = (16384 - 24) / 1184.
	respPerBundle = 13
	// rOutOfMemoryGet is memcached's reply to a multiget that ran out of response objects.
	rOutOfMemoryGet = "SERVER_ERROR out of memory writing get response"
)

// loopBuffers is how many 16 KiB buffers each of n loops may use under limit bytes
// (memcached's thread.c: at least one), or 0 for no limit.
func loopBuffers(limit, n int) int {
	if limit <= 0 {
		return 0
	}
	return max(1, limit/max(1, n)/readBufferSize)
}

// respBudget is the number of response objects c may take in this visit of its loop:
// what the loop's buffers leave once the held ones are counted; -1 for no limit. It
// walks the loop's connections, so a limit costs time in proportion to them.
func (l *eventLoop) respBudget(c *conn) int {
	if l.buffers == 0 {
		return -1
	}
	held := 0
	for _, o := range l.conns {
		if o.ownInput || o == c {
			held++
		}
		held += (o.respHeld + respPerBundle - 1) / respPerBundle
	}
	return max(0, l.buffers-held) * respPerBundle
}

// respStart takes a response object for the next reply (memcached's resp_start); false
// when none is left, counted in response_obj_oom.
func (c *conn) respStart() bool {
	switch {
	case c.respLeft < 0:
		return true
	case c.respLeft == 0:
		c.srv.respOOM.Add(1)
		return false
	}
	c.respLeft--
	c.respUsed++
	return true
}
