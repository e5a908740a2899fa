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
// shrinks keeps its length, padded with spaces, as memcached's in-place rewrite), touch, gat/gats,
// flush_all with an optional delay, and stats. Expiration times follow memcached: 0 never,
// up to 30 days relative, beyond that an absolute unix time, negative already expired.
// Keys are 1 to 250 bytes without spaces or control characters; an item (56-byte header,
// key and value) may be at most Config.MaxItemSize bytes, 1 MiB by default, and a set that
// is too large removes the old value, as in memcached.
//
// # Memory
//
// As in memcached: slab classes whose chunk sizes grow by a factor of 1.25 from 96 bytes
// to one page (1 MiB), one LRU per class, pages handed to classes on demand. In a region
// large enough, each class is split into shards by key hash, each an ordinary class with
// its own lock, LRU and free list (shards.go), so that writers of items of one size do not
// all queue on one lock; eviction is then LRU within the key's shard. When memory is
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
// striped by key hash, one lock per slab class or class shard (its LRU, free list and counts), one for the
// page allocator, one for hash table growth. Lock order: stripe, then class, then pages;
// the growth lock before stripes. Locks that would break that order (eviction taking the
// stripe of a victim, a page move taking another class's lock) are only tried, never
// waited for. Statistics counters are per slot, so clients do not share their cache lines.
//
// No call waits forever. A waiter spins briefly, yields, then sleeps on the lock word
// (futex, which works between processes; the word's top bit tells the holder's unlock to
// wake sleepers). A dead holder is repaired (below). A live holder that keeps the lock
// longer than Options.LockTimeout (3 s by default: a process stopped by SIGSTOP or a
// debugger, say) makes the waiting call give up with a *BusyError naming the holder's slot
// (and, through Options.HolderPid, its pid); the call is undone as crash repair would undo
// it, so it changed nothing.
//
// Get takes no lock (seqlock.go): each stripe has a version word that its holder makes odd
// only for the few stores a reader could see (publishing an item, unlinking one before its
// chunk can be reused, moving a bucket, rewriting a value in place), and even again after the commit; a reader copies
// the value into the caller's buffer and keeps it only if the version was even and did not
// move. So a writer stopped in the middle of a Set delays no reader unless it stopped in
// that window of a few stores: then readers of its stripe, like its writers, wait and get
// ErrBusy after the timeout. A read that must write more than the item's fetched bit (one
// a minute bumps the item in its LRU; an expired item is unlinked) takes the lock, as
// every read does in a build with the race detector.
//
// # The region is untrusted
//
// Every process that maps the region can write any byte of it, at any moment. The store
// reads it as a kernel reads user memory: every access is bounds-checked against the
// region (unsafe.go), every offset, class id, count and link read from it is validated
// before use, and every walk of a chain or list is bounded, so a damaged word yields
// ErrCorrupt in the calls that meet it — never a fault, a hang or an access outside the
// region. A call that meets damage is undone like one that meets a busy lock (guard.go):
// its journal is rolled back, its locks released. What a damaged word can still do is
// damage more of the region (a wild link written through), lose items, or make every call
// that needs it fail with ErrCorrupt until the region is repaired or formatted anew;
// Check reports such damage.
//
// # Crash safety: journals and repair
//
// A client can be killed at any instruction (SIGKILL cannot be deferred the way the paper's
// Hodor kernel defers a dying thread's exit). Nothing it leaves may be lost, torn or locked
// for good. Each client slot has a journal in the region (journal.go):
//
//   - An undo log. Every store into a structure that a lock guards (LRU and free lists,
//     hash chains, class counts, the page allocator, hash-table words) first records the
//     word's old value. Releasing any lock commits (empties the log); long sections commit
//     between batches. The log therefore always undoes exactly the stores made since the
//     last point at which every structure the client holds was consistent.
//   - Intent records for work that spans commits: the chunk a client has allocated and not
//     yet linked (alloc), a page being carved into chunks, a page moving between slab
//     classes, a hash bucket being migrated, a grown hash table not yet installed.
//
// The operations are arranged so that each commit point is consistent: a store links the
// new item into its LRU, publishes it in the hash chain with one 8-byte store and frees the
// old item, all in one section of the class locks involved; an unlink does the same in
// reverse; a set that replaces a value with one of the same length (up to 512 bytes)
// rewrites the item where it is, under its stripe alone (replace.go); incr and decr
// rewrite a number of up to 24 bytes in place, as memcached does,
// with journaled stores of whole words inside the stripe's odd version, so neither a crash
// nor a lock-free reader sees a half-written number (a longer value goes into a new item);
// a page is taken and recorded for carving in one section of the page lock.
//
// A client waiting for a lock asks after 0.5 ms, then after each further sixteenth of its
// wait, whether the holder's process lives (Options.HolderAlive: package plib compares pid
// and start time). If it is dead, one waiter
// wins the dead slot's claim word (a CAS) and repairs, acting as the dead slot so that its
// own stores are journaled there too (a repairer that dies in turn leaves a journal the
// next one picks up): it rolls the undo log back, finishes the recorded carve, page move or
// bucket migration, returns an uninstalled table's pages, and releases every lock the dead
// slot held. The other waiters wait for that and then compete for their lock as usual.
// Repair happens once: the claim word then reads done. When the slot is later taken back
// for reuse (RecoverSlot; package plib does this when it reclaims a dead process's slot),
// the new owner first claims the journal as its own (so that if it dies in turn, holding a
// class lock while it frees, the next waiter repairs it like any dead holder), then frees
// the chunk the dead client had allocated but not linked, so a killed set leaks nothing
// for good, and resets the journal. The hash-growth lock is only ever tried, never waited
// for; a client that fails to take it asks now and then whether its holder lives, and
// repairs a dead one, so growth cannot stop for good.
//
// What the journal costs. An undo record is three stores into the slot's own journal,
// whose lines stay in the cache; what makes a store expensive is a load or a fence that
// waits for memory. So a list neighbour's link, whose old value the list's invariant gives,
// is recorded without loading its cold line (w64known); words that others read atomically
// but only a lock's holder writes take a release store, not an atomic store's full fence
// (release_tso.go); a slot's own counters are not incremented with locked adds. With
// those, a Set, Delete or Increment costs no more than before the journals existed (see
// the closing note of the scalability issue for the figures).
//
// Only the page lock is waited for during repair besides the dead slot's own locks; it is
// innermost in the lock order, so a repair cannot deadlock. Statistics and the CAS counter
// are not journaled: a crash can lose a count, never an item.
//
// # Checking
//
// (*Store).Check walks every bucket, LRU, free list and page, verifying that each chunk is
// free or linked exactly once, that all counts agree and that no journal is left inside a
// critical section. It takes every lock, so it is for
// tests, tools and repair, not the fast path.
package kv
