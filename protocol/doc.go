// Package protocol serves memcached 1.6's text and meta protocols over a Backend: a
// plibcached segment through package plib (PlibBackend), for plibd. Replies match
// memcached 1.6.18's byte for byte, errors included; TestDifferential checks that against
// stock memcached with seeded random command sequences.
//
// # Connections and sessions
//
// A few event-loop threads (Config.Loops, GOMAXPROCS by default) serve every TCP and unix
// connection over epoll, as memcached's worker threads do (loop.go). Each loop holds one
// session (a client slot of the segment) for its lifetime and runs its connections'
// commands on it, on its own locked thread, so slots belong to threads and an idle
// connection costs no thread and no buffer: input is read into the loop's buffer and
// only an unfinished line or value is kept by the connection. Every complete command a
// read brought is run, then their replies go out in one write; a connection whose
// replies the socket does not take is neither read nor run until they are sent, so its
// memory stays within one batch of replies. get and set read into and out of the
// buffers directly: nothing is allocated per command on that path.
//
// Connections that are not sockets (ServeConn of a pipe) get a goroutine each, served
// through the runtime's poller with a session borrowed from the Backend for each command.
//
// # Commands
//
//	get gets gat gats bget        multi-key; a key over 250 bytes fails the command
//	set add replace append prepend cas   with noreply; data swallowed when refused
//	incr decr touch delete        with noreply (delete takes memcached's legacy "0")
//	flush_all [delay] [noreply]   now, after a delay, or at a unix time
//	stats                         general, settings, items, slabs, sizes, conns, detail,
//	                              reset, cachedump (cmd_stats.go, stats_*.go)
//	version verbosity quit        version reports 1.6.18, the protocol served
//	debugtime N|p|r               only with Config.DebugClock (plibd -debugtime): tests
//	mn                            flushes the pending output
//	mg  b c f h k l N O q R s t T u v   with the lease marks W, X, Z
//	ms  b c C F I k M(S E A P R) O q T  (s v accepted and ignored, as memcached does)
//	md  b C I k O q T                   (T without I does nothing, as in memcached)
//	ma  b c C D J k M(I + D -) N O q t T v
//	me  KEY [b]                   the item's internals, without fetching it
//
// Not served (ERROR, as for an unknown command; or what memcached says without the
// feature): the binary protocol (a binary request is answered "Unknown command":
// binary.go), SASL and authentication, shutdown without
// Config.Shutdown ("ERROR: shutdown not enabled"), slabs reassign, cache_memlimit (the
// segment's size is fixed), lru, watch, extstore. lru_crawler answers as memcached does
// with its crawler disabled, and slabs automove accepts level 1, the one plibd has
// (cmd_admin.go).
//
// UDP (ServeUDP, memcached's -U, off by default as in memcached) carries the text and
// meta commands in memcached's framing (udp.go).
//
// # Leases: the meta protocol's anti-stampede tokens
//
// mg N (vivify) on a miss creates an empty item with N's TTL and hands this client the
// win token (W); mg R wins when the item's TTL is below R's threshold; a stale item wins.
// A token is handed out once: later mg's see Z until the item is replaced. md I marks an
// item stale (X) instead of deleting it, with a new CAS id, and hands the token out again;
// ms I with C stores under an older CAS id all the same, marked stale, keeping the item's
// TTL and token. The marks are bits of the item in the segment, changed under its lock
// with journaled stores (kv/lease.go), so a client killed mid-call leaves them as before
// the call or as after it; local processes get the same through plib (Session.MetaLease,
// Invalidate, StoreStale).
//
// # Where the store differs and the protocol makes up for it
//
// A cas id of 0 is refused by the store; the protocol sends 2^64-1, which no item has,
// so it gets memcached's EXISTS or NOT_FOUND. ms with C in append or prepend mode reads
// the item and compare-and-swaps the joined value. md with C compare-and-swaps the item
// to an empty, already-expired one (reclaimed lazily; stats count a cas, not a delete).
// ma always runs as a read and a compare-and-swap of the new number, retried if the
// item changed, so that C, T, N and the c and t flags are exact and atomic; as in
// memcached, a number that fits is written in place padded with spaces, and a longer one
// goes in a new item that keeps the old TTL even if T was given (memcached applies T to
// the replaced item). incr and decr call the store's Incr and Decr, which parse numbers
// as memcached's safe_strtoull does and keep the in-place rewrite's padding, access time
// and fetched bit; ma's hits and misses are counted by the protocol. A get or gat
// into too short a buffer is refused by the store with nothing done (kv's Get), so the
// protocol grows its output buffer and fetches again: one fetch, counted once.
//
// # Remaining differences from memcached 1.6.18
//
//   - Item size: memcached refuses an item when key + value + 59 exceed -I (1 MiB); so
//     does the protocol (Config.ItemSizeMax), for set, add, replace, cas and ms. The
//     joined item of an append or prepend is checked by the store, whose limit is
//     key + value + 56 bytes: for joined values 1 to 3 bytes under memcached's limit,
//     memcached says NOT_STORED where plibd stores.
//   - The fetched bit (mg h) and last access (mg l): memcached's touch marks an item
//     fetched, the store's does not; ms append/prepend with C and ma read the item
//     (marking it fetched), and the
//     compare-and-swap of ma makes a new item (not fetched), where memcached rewrites
//     numbers in place keeping the bit.
//   - b (base64 keys): memcached prints k in base64 when the item was stored with ms b;
//     plibd prints it so when the request has b.
//   - flush_all with a delay of 2 seconds or more: memcached invalidates at the deadline
//     minus one second; plibd at the deadline. (Now, and within a second, both flush at
//     once and take a CAS id, so CAS ids match memcached's.) A delayed flush_all in memcached also suspends an earlier
//     immediate one for items not yet reclaimed (they come back); the store keeps them
//     flushed.
//   - mg t, ma t of an item expired by a negative T or N print memcached's clock (it
//     counts from its start) in unsigned arithmetic; plibd's counts from 1970.
//   - Lines: memcached closes a connection after 2048 bytes without a newline once it has
//     read what the socket holds, or when a line does not fit its 16 KiB buffer, dropping
//     the replies it has not sent; plibd does the same, but which replies memcached had
//     already sent depends on how its reads fell. A get line may go on (memcached grows
//     its buffer until malloc fails); plibd stops at 1 MiB (getLineLimit) with the reply
//     memcached gives when that malloc fails, "SERVER_ERROR out of memory reading
//     request", and closes the connection.
//   - Version is reported as 1.6.18 (the protocol level served). stats has memcached's
//     names and order (as memcached prints them without an LRU crawler or maintainer,
//     extstore or TLS); a figure plibd has no counterpart for is what memcached reports
//     with that feature off (stats_general.go lists them), and stats slabs omits the
//     per-class hit counters, which kv does not keep. The store's counters are shared by
//     every process on the segment: "stats reset" resets this server's view of them.
//   - Stats counters of an mg N that vivifies: memcached counts a hit, plibd a miss.
//
// memcached 1.6.18's incr, decr and ma of a value of 2^63 or more may say non-numeric at
// random (its strchr looks for '-' past the value's end); plibd does not reproduce that.
package protocol
