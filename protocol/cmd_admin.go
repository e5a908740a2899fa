package protocol

// Memcached's administrative commands for features plibd's store has in another form,
// answered as memcached answers them with the feature as plibd has it.

// processLruCrawler runs "lru_crawler ...": plibd has no LRU crawler (kv reclaims expired
// items as it meets them and on allocation), so crawl and metadump get memcached's "lru
// crawler disabled", enable its failure to start the thread, and disable OK.
func (c *conn) processLruCrawler() {
	tk := &c.tk
	sub := ""
	if tk.n >= 3 {
		sub = string(tk.t[1])
	}
	switch {
	case tk.n == 4 && (sub == "crawl" || sub == "metadump"):
		c.outString("CLIENT_ERROR lru crawler disabled")
	case tk.n == 3 && sub == "enable":
		c.outString("ERROR failed to start lru crawler thread")
	case tk.n == 3 && sub == "disable":
		c.outString("OK")
	default:
		c.outString(rError)
	}
}

// processSlabs runs "slabs automove N" (and "slabs automove ratio R"), with memcached's
// checks. kv moves a page to a class that needs one as it allocates, which is memcached's
// automove level 1, the only level plibd has: 1 is OK, 0 and 2 (which plibd cannot
// switch to) are ERROR, as memcached answers a level it does not have. "slabs reassign"
// is not served.
func (c *conn) processSlabs() {
	tk := &c.tk
	if tk.n < 4 || string(tk.t[1]) != "automove" {
		c.outString(rError)
		return
	}
	c.setNoreplyMaybe()
	if string(tk.t[2]) == "ratio" {
		c.outString(rError) // plibd has no automove ratio to set
		return
	}
	level, ok := safeStrtoul(tk.t[2])
	switch {
	case !ok:
		c.outString(rBadFormat)
	case level == 1:
		c.outString("OK")
	default:
		c.outString(rError)
	}
}
