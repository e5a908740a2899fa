// Package kv is memcached's engine over one region of memory that many processes can map
// at different addresses: the data layer of plibcached.
//
// A Store is given a []byte (a MAP_SHARED file mapping in production, a heap slice in
// tests) and a Clock, and keeps everything in it: the header, slab classes and their LRU
// and free lists, the hash table, locks, statistics. Every reference inside the region is
// an offset from its first byte, never a pointer, so the same bytes work in every process;
// nothing on the Go heap is needed for correctness. The package knows nothing of files,
// processes or protection keys: package plib maps the region, hands out client Slots and
// guards the memory.
//
// # Semantics
//
// The commands are memcached 1.6's, with protocol.txt as the oracle: get/gets (Get returns
// the CAS id), set, add, replace, append and prepend (both keep the old flags and
// expiration), cas (ErrExists on a changed item, ErrNotFound on a missing one), delete,
// incr/decr (unsigned 64-bit decimal; incr wraps at 2^64, decr stops at 0; a number that
// shrinks is rewritten in place and padded with spaces, as memcached does), touch, gat/gats,
// flush_all with an optional delay, and stats. Expiration times follow memcached: 0 never,
// up to 30 days relative, beyond that an absolute unix time, negative already expired.
// Keys are 1 to 250 bytes without spaces or control characters; an item (56-byte header,
// key and value) may be at most Config.MaxItemSize bytes, 1 MiB by default, and a set that
// is too large removes the old value, as in memcached.
//
// # Memory
//
// As in memcached: slab classes whose chunk sizes grow by a factor of 1.25 from 96 bytes
// to one page (1 MiB), one LRU per class, pages handed to classes on demand. When memory is
// full, a store evicts from the class's LRU tail, reclaiming an expired item among the last
// five before evicting a live one, and moves pages between classes when a class has none,
// so a set fails (ErrOutOfMemory) only when everything it could evict is locked at that
// instant. Expired and flushed items are removed lazily, when a lookup or the eviction
// search meets them. The per-item overhead is the 56-byte header: memcached's 48 bytes plus
// its 8-byte CAS id, with 8-byte offsets in place of its pointers.
//
// The hash table has power-of-two buckets and grows when items exceed 1.5 per bucket (as
// memcached's assoc_expand), incrementally: the new table is installed while every stripe
// lock is held for a moment, then stores move 64 buckets at a time.
//
// # Concurrency
//
// Every lock is a 32-bit word in the region holding its holder's slot plus one: item locks
// striped by key hash, one lock per slab class (its LRU, free list and counts), one for the
// page allocator, one for hash table growth. Lock order: stripe, then class, then pages;
// the growth lock before stripes. Locks that would break that order (eviction taking the
// stripe of a victim, a page move taking another class's lock) are only tried, never
// waited for. Statistics counters are per slot, so clients do not share their cache lines.
//
// # Crash safety: the order of every mutation
//
// A client can die at any instruction. The store is written so that what it leaves is at
// worst a leaked chunk or a half-built item that no reader can reach, never a dangling
// reference, and every lock it held names it (for recovery by package plib):
//
//  1. Allocation takes a chunk off a free list (or carves a new page) under the class lock
//     and marks it stateAlloc. A crash now leaks the chunk: Check reports it.
//  2. The client fills the chunk: header, key, value. Nothing links to it yet, so no reader
//     can see it half-written.
//  3. Under the class lock it joins the LRU and becomes stateLinked.
//  4. One 8-byte store makes it reachable: the word that pointed at the old item (or the
//     bucket head) now points at the new one, whose hnext already holds the old item's
//     successor. Readers, who hold the same stripe, see the old item or the new, whole.
//  5. The old item leaves its LRU and its chunk returns to the free list, under its class
//     lock.
//
// Unlinking runs 4 then 5 alone. Moving a hash bucket during growth inserts each item into
// the new chain before removing it from the old, under the bucket's stripe. Between steps a
// crash can leave an item in an LRU but not yet (or no longer) in the hash table: eviction
// tolerates that (it frees such an item without a hash unlink), and Check names it.
//
// # Checking
//
// (*Store).Check walks every bucket, LRU, free list and page, verifying that each chunk is
// free or linked exactly once and that all counts agree. It takes every lock, so it is for
// tests, tools and repair, not the fast path.
package kv
