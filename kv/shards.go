package kv

import "fmt"

// Class shards. Items of one size class all share one lock, one LRU and one free list in
// memcached; with YCSB's equal-sized records that lock serialises every writer. Here each
// size class is split into Config.ClassShards shards, chosen by key hash: shard k of size
// class c is an ordinary slab class of its own (class id (c-1)*shards + k + 1), with its
// own lock, LRU, free list, pages and counts. Everything that works on a class (allocation,
// eviction, page moves, repair, Check) works on a shard unchanged; only the mapping from
// an item to its class adds the key's shard (classForKey), and the figures reported per
// class (Stats, CacheDump, Peek) are the size class's, summed over its shards.
//
// Eviction order. A store that needs memory evicts from the tail of its key's shard: the
// least recently used of the items of that size whose keys hash to that shard (among the
// last five, an expired one first), as memcached evicts the least recently used of a
// class. Keys hash uniformly, so each shard holds a random sample of the class and its tail
// is the class's tail up to that sampling. A shard that runs out of pages takes one from
// the class (any shard included) holding the most, as a class does. What is not
// guaranteed across shards: a store may evict from its own shard while another shard of
// the same size has free chunks (as memcached may evict in one class while another has
// free chunks, until its rebalancer moves a page).

const (
	// maxShards bounds Config.ClassShards.
	maxShards = 8
	// maxClassIDs is the most class ids a region can have: an item records its class in
	// one byte, and 0xFF marks a page of the hash table.
	maxClassIDs = pageHashTable - 1
	// autoShardMinPages is the smallest region, in pages, that autoShards splits: below
	// it each shard's partly filled page would be a noticeable share of the memory, and a
	// small cache (memcached's tests run with a few MiB) keeps memcached's exact one LRU
	// per class.
	autoShardMinPages = 128
)

// shardClasses repeats each size of sizes (index = size class; [0] unused) once per shard
// and returns the class sizes by class id and the shard count: want, or autoShards for a
// region of pages pages when want is 0.
func shardClasses(sizes []uint64, want int, pages uint64) ([]uint64, uint64, error) {
	base := len(sizes) - 1
	n := want
	if n == 0 {
		n = autoShards(pages, base)
	}
	if base*n > maxClassIDs {
		return nil, 0, fmt.Errorf("%w: %d slab classes × %d shards is more than %d class ids", ErrConfig, base, n, maxClassIDs)
	}
	out := make([]uint64, 1, base*n+1)
	for _, size := range sizes[1:] {
		for range n {
			out = append(out, size)
		}
	}
	return out, uint64(n), nil
}

// autoShards is the shard count Config.ClassShards 0 chooses for a region of pages pages
// and base size classes: 1 below autoShardMinPages, whose behaviour is then exactly
// memcached's one LRU per class; else the most, up to maxShards, that fit the class ids.
// What shards cost is at most one partly filled page per shard of each size in use.
func autoShards(pages uint64, base int) int {
	if pages < autoShardMinPages {
		return 1
	}
	return mostShards(base)
}

// mostShards is the most shards base size classes can have: up to maxShards, within the
// class ids.
func mostShards(base int) int { return max(1, min(maxShards, maxClassIDs/base)) }

// shardOf returns the shard of a key with hash h: its top bits, scaled to the shard count
// (the low bits choose the stripe and bucket).
func (s *Store) shardOf(h uint32) uint8 {
	return uint8(uint64(h>>16) * s.g.shards >> 16)
}

// classForKey returns the class of an item of size bytes whose key has hash h.
func (s *Store) classForKey(size uint64, h uint32) uint8 {
	return s.classFor(size) + s.shardOf(h)
}

// sizeClassOf returns the size class (1 to numClasses/shards) that class id cls shards.
func (s *Store) sizeClassOf(cls uint8) int { return (int(cls)-1)/int(s.g.shards) + 1 }

// shardIDs returns the class ids of size class c's shards: first, first+1, ..., last.
func (s *Store) shardIDs(c int) (first, last int) {
	first = (c-1)*int(s.g.shards) + 1
	return first, first + int(s.g.shards) - 1
}

// numSizeClasses is the number of size classes (class ids divided by shards).
func (s *Store) numSizeClasses() int { return s.numClasses / int(s.g.shards) }
