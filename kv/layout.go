package kv

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math"
	"math/bits"
)

// The region's layout. All offsets are from the region's first byte; offset 0 is the
// header, so 0 doubles as the nil reference for items and tables.
//
//	[0, 4096)               header: immutable config (checksummed), then mutable words,
//	                        each group on its own cache line
//	classOff                slab-class table, classEntrySize bytes per class id (0 unused)
//	stripeOff               item lock stripes, one cache line each
//	slotStatsOff            per-client-slot statistics counters, slotStatsSize bytes each
//	journalOff              per-slot journals (intent and undo records), journalSize bytes
//	                        each, one more than the slots for the maintenance slot
//	pageTableOff            one 32-bit word per page: 0 unassigned, 1..n slab class,
//	                        pageHashTable
//	initTableOff            the initial hash table, 8 bytes per bucket
//	firstPageOff            pages of pageSize bytes: slabs, and grown hash tables
const (
	layoutVersion = 4
	headerSize    = 4096
	cacheLine     = 64
	osPage        = 4096

	// Immutable header fields (covered by the checksum).
	hMagic        = 0
	hVersion      = 8
	hChecksum     = 12
	hRegionSize   = 16
	hPageSize     = 24
	hMaxItem      = 28
	hNumClasses   = 32
	hMaxSlots     = 36
	hNumStripes   = 40
	hInitPower    = 44
	hClassOff     = 48
	hStripeOff    = 56
	hSlotStatsOff = 64
	hPageTableOff = 72
	hFirstPage    = 80
	hNumPages     = 88
	hGrowthMilli  = 92
	hInitTableOff = 96
	hMinChunk     = 104
	hClassShards  = 112
	hImmutableEnd = 116

	// Mutable header words, grouped by the lock or atomic discipline that guards them.
	hCAS              = 128 // atomic: last CAS id handed out
	hPagesLock        = 192 // lock guarding the page allocator words below
	hBumpNext         = 200 // index of the first never-used page
	hFreePages        = 208 // stack of returned pages: page index + 1, 0 when empty
	hFreePageCount    = 216
	hExpandLock       = 256 // lock held by the one client growing or migrating the hash table
	hHashPower        = 260 // log2 of the primary table's bucket count
	hPrimary          = 264 // offset of the primary table
	hOld              = 272 // offset of the table being migrated from (0 when not expanding)
	hOldPower         = 280
	hExpanding        = 284 // 1 while buckets move from the old table to the primary one
	hCursor           = 288 // old buckets below this index have moved (atomic)
	hOldFirstPage     = 296 // old table's first page + 1, 0 if it is the initial table
	hOldPageCount     = 304
	hGrowFailed       = 312 // 1 once growth failed for want of contiguous pages
	hPrimaryFirstPage = 344 // primary table's first page + 1, 0 if it is the initial table
	hPrimaryPageCount = 352
	hFlushCAS         = 320 // items with CAS id <= this are flushed (atomic)
	hFlushDeadline    = 328 // from this unix time, items stored before it are flushed (atomic)
	hFlushPassed      = 336 // a deadline that has passed: items stored before it stay flushed (atomic)
	hRepairs          = 384 // lock repairs after dead clients (atomic)
	hRepairWaitMax    = 392 // longest wait, in ns, of a client that met a dead holder's lock (atomic)
	hRepairTimeMax    = 400 // longest lock repair, in ns (atomic)

	// Slab-class entry fields, guarded by the class's lock (statistics are atomic).
	classEntrySize = 128
	cLock          = 0
	cMayExpire     = 4 // 1 once an item with an expiration time was linked (reclaim.go)
	cChunkSize     = 8
	cPerSlab       = 12
	cLRUHead       = 16
	cLRUTail       = 24
	cFreeHead      = 32
	cFreeCount     = 40
	cTotalChunks   = 48
	cPages         = 56
	cItems         = 64
	cBytes         = 72
	cEvictions     = 80
	cReclaimed     = 88
	cOutOfMemory   = 96

	stripeSize = cacheLine
	// sVersion is a stripe's version word, beside its lock word: odd while its holder
	// changes what readers of the stripe's chains can see (seqlock.go).
	sVersion = 8

	pageUnassigned = 0
	pageHashTable  = 0xFF
	maxClasses     = 200
)

var magic = [8]byte{'p', 'l', 'i', 'b', 'c', 'k', 'v', 0}

// Config sizes a new region. Zero fields take the defaults documented on each.
type Config struct {
	// MaxItemSize is the largest item (header, key and value) in bytes, memcached's -I.
	// Default 1 MiB.
	MaxItemSize int
	// PageSize is the slab page size in bytes, a power of two. Default 1 MiB, or the next
	// power of two at or above MaxItemSize if that is larger.
	PageSize int
	// GrowthFactor is the ratio between neighbouring slab classes' chunk sizes. Default 1.25.
	GrowthFactor float64
	// MinChunk is the smallest chunk size in bytes. Default 96 (memcached's 48-byte header
	// plus 48 bytes of data).
	MinChunk int
	// ExpectedItems sizes the initial hash table so that it need not grow below this many
	// items. Default 0: start at 2^16 buckets, as memcached does.
	ExpectedItems int64
	// MaxSlots is the number of client slots (concurrent callers). Default 256.
	MaxSlots int
	// Stripes is the number of item lock stripes, a power of two. Default 1024.
	Stripes int
	// ClassShards splits every slab class into this many shards by key hash, each with
	// its own lock, LRU and free list (shards.go), so that writers of items of one size
	// do not all queue on one lock. 1 to 8; 0 chooses (autoShards): as many as fit the
	// class ids when the region has room for a few pages per shard, else 1.
	ClassShards int
}

func (c Config) withDefaults() Config {
	if c.MaxItemSize == 0 {
		c.MaxItemSize = 1 << 20
	}
	if c.PageSize == 0 {
		c.PageSize = max(1<<20, 1<<bits.Len(uint(c.MaxItemSize-1)))
	}
	if c.GrowthFactor == 0 {
		c.GrowthFactor = 1.25
	}
	if c.MinChunk == 0 {
		c.MinChunk = 96
	}
	if c.MaxSlots == 0 {
		c.MaxSlots = 256
	}
	if c.Stripes == 0 {
		c.Stripes = 1024
	}
	return c
}

// geometry is the layout derived from a Config and a region size.
type geometry struct {
	regionSize, pageSize, maxItem, minChunk uint64
	growthMilli                             uint64
	classSizes                              []uint64 // index = class id; [0] unused
	shards                                  uint64   // classes per chunk size (shards.go)
	maxSlots, stripes                       uint64
	initPower                               uint64
	classOff, stripeOff, slotStatsOff       uint64
	journalOff                              uint64
	pageTableOff, initTableOff, firstPage   uint64
	numPages                                uint64
}

func alignUp(x, a uint64) uint64 { return (x + a - 1) / a * a }

// classSizesFor lists chunk sizes from minChunk, growing by factor, each a multiple of 8,
// the last exactly one page: memcached's slabs_init.
func classSizesFor(minChunk, pageSize uint64, factor float64) ([]uint64, error) {
	sizes := []uint64{0}
	size := alignUp(minChunk, 8)
	for float64(size) < float64(pageSize)/factor {
		sizes = append(sizes, size)
		next := alignUp(uint64(float64(size)*factor), 8)
		if next == size {
			next += 8
		}
		size = next
		if len(sizes) > maxClasses {
			return nil, fmt.Errorf("%w: growth factor %.3f gives more than %d slab classes", ErrConfig, factor, maxClasses)
		}
	}
	return append(sizes, pageSize), nil
}

func hashPowerFor(expected int64, stripes uint64) uint64 {
	power := uint64(16)
	if expected > 0 {
		// memcached grows at 1.5 items per bucket; size so that expected items stay below.
		need := uint64(math.Ceil(float64(expected) / 1.5))
		power = max(uint64(bits.Len64(need-1)), 10)
	}
	return max(power, uint64(bits.Len64(stripes-1)))
}

// newGeometry validates c and lays out a region of regionSize bytes. initPower 0 sizes the
// hash table from c.ExpectedItems; Open passes the stored power instead.
func newGeometry(regionSize uint64, c Config, initPower uint64) (geometry, error) {
	c = c.withDefaults()
	g := geometry{regionSize: regionSize}
	switch {
	case c.MaxItemSize < itemHeaderSize+2 || c.PageSize < c.MaxItemSize:
		return g, fmt.Errorf("%w: max item size %d must be in [%d, page size %d]", ErrConfig, c.MaxItemSize, itemHeaderSize+2, c.PageSize)
	case c.PageSize < osPage || c.PageSize&(c.PageSize-1) != 0:
		return g, fmt.Errorf("%w: page size %d is not a power of two >= %d", ErrConfig, c.PageSize, osPage)
	case c.GrowthFactor <= 1 || c.GrowthFactor > 4:
		return g, fmt.Errorf("%w: growth factor %.3f not in (1, 4]", ErrConfig, c.GrowthFactor)
	case c.MinChunk < itemHeaderSize+8 || c.MinChunk > c.PageSize:
		return g, fmt.Errorf("%w: min chunk %d not in [%d, page size]", ErrConfig, c.MinChunk, itemHeaderSize+8)
	case c.MaxSlots < 1 || c.MaxSlots > 1<<16:
		return g, fmt.Errorf("%w: max slots %d not in [1, 65536]", ErrConfig, c.MaxSlots)
	case c.Stripes < 1 || c.Stripes > 1<<20 || c.Stripes&(c.Stripes-1) != 0:
		return g, fmt.Errorf("%w: stripes %d is not a power of two in [1, 2^20]", ErrConfig, c.Stripes)
	case c.ClassShards < 0 || c.ClassShards > maxShards:
		return g, fmt.Errorf("%w: class shards %d not in [0, %d]", ErrConfig, c.ClassShards, maxShards)
	case c.ExpectedItems < 0:
		return g, fmt.Errorf("%w: expected items %d is negative", ErrConfig, c.ExpectedItems)
	}
	g.pageSize, g.maxItem, g.minChunk = uint64(c.PageSize), uint64(c.MaxItemSize), uint64(c.MinChunk)
	g.growthMilli = uint64(math.Round(c.GrowthFactor * 1000))
	sizes, err := classSizesFor(g.minChunk, g.pageSize, float64(g.growthMilli)/1000)
	if err != nil {
		return g, err
	}
	if g.classSizes, g.shards, err = shardClasses(sizes, c.ClassShards, regionSize/g.pageSize); err != nil {
		return g, err
	}
	g.maxSlots, g.stripes = uint64(c.MaxSlots), uint64(c.Stripes)
	g.initPower = initPower
	if g.initPower == 0 {
		g.initPower = hashPowerFor(c.ExpectedItems, g.stripes)
	}
	if g.initPower > 32 || 1<<g.initPower < g.stripes {
		return g, fmt.Errorf("%w: expected items %d and %d stripes give hash power %d (need <= 32, >= log2 stripes)", ErrConfig, c.ExpectedItems, g.stripes, g.initPower)
	}
	g.layout()
	if g.numPages == 0 {
		return g, fmt.Errorf("%w: region of %d bytes leaves no room for one %d-byte page after %d bytes of tables",
			ErrConfig, regionSize, g.pageSize, g.firstPage)
	}
	return g, nil
}

// layout places the tables; it depends only on fields stored in the immutable header, so
// Open recomputes it to validate the header's offsets.
func (g *geometry) layout() {
	g.classOff = headerSize
	g.stripeOff = alignUp(g.classOff+uint64(len(g.classSizes))*classEntrySize, cacheLine)
	g.slotStatsOff = g.stripeOff + g.stripes*stripeSize
	g.journalOff = g.slotStatsOff + g.maxSlots*slotStatsSize
	g.pageTableOff = g.journalOff + (g.maxSlots+1)*journalSize
	maxPages := g.regionSize / g.pageSize
	g.initTableOff = alignUp(g.pageTableOff+maxPages*4, cacheLine)
	g.firstPage = alignUp(g.initTableOff+8<<g.initPower, osPage)
	if g.firstPage < g.regionSize {
		g.numPages = (g.regionSize - g.firstPage) / g.pageSize
	}
}

func (g *geometry) writeHeader(m mem) {
	copy(m.bytes(hMagic, 8), magic[:])
	m.setU32(hVersion, layoutVersion)
	m.setU64(hRegionSize, g.regionSize)
	m.setU32(hPageSize, uint32(g.pageSize))
	m.setU32(hMaxItem, uint32(g.maxItem))
	m.setU32(hNumClasses, uint32(len(g.classSizes)-1))
	m.setU32(hMaxSlots, uint32(g.maxSlots))
	m.setU32(hNumStripes, uint32(g.stripes))
	m.setU32(hInitPower, uint32(g.initPower))
	m.setU64(hClassOff, g.classOff)
	m.setU64(hStripeOff, g.stripeOff)
	m.setU64(hSlotStatsOff, g.slotStatsOff)
	m.setU64(hPageTableOff, g.pageTableOff)
	m.setU64(hFirstPage, g.firstPage)
	m.setU32(hNumPages, uint32(g.numPages))
	m.setU32(hGrowthMilli, uint32(g.growthMilli))
	m.setU64(hInitTableOff, g.initTableOff)
	m.setU32(hMinChunk, uint32(g.minChunk))
	m.setU32(hClassShards, uint32(g.shards))
	m.setU32(hChecksum, headerChecksum(m.bytes(0, hImmutableEnd)))
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// headerChecksum is CRC-32C over the immutable header with the checksum field taken as zero.
func headerChecksum(h []byte) uint32 {
	var buf [hImmutableEnd]byte
	copy(buf[:], h)
	binary.LittleEndian.PutUint32(buf[hChecksum:], 0)
	return crc32.Checksum(buf[:], castagnoli)
}

// readGeometry validates the header of region b and returns its geometry.
func readGeometry(b []byte) (geometry, error) {
	var g geometry
	if len(b) < headerSize {
		return g, fmt.Errorf("%w: %d bytes is shorter than the %d-byte header", ErrTruncated, len(b), headerSize)
	}
	if [8]byte(b[:8]) != magic {
		return g, ErrNotRegion
	}
	le := binary.LittleEndian
	if v := le.Uint32(b[hVersion:]); v != layoutVersion {
		return g, fmt.Errorf("%w: region has version %d, this build reads %d", ErrVersion, v, layoutVersion)
	}
	if sum := headerChecksum(b[:hImmutableEnd]); sum != le.Uint32(b[hChecksum:]) {
		return g, fmt.Errorf("%w: stored %#08x, computed %#08x", ErrHeaderChecksum, le.Uint32(b[hChecksum:]), sum)
	}
	g.regionSize = le.Uint64(b[hRegionSize:])
	switch {
	case uint64(len(b)) < g.regionSize:
		return g, fmt.Errorf("%w: header says %d bytes, region has %d", ErrTruncated, g.regionSize, len(b))
	case uint64(len(b)) > g.regionSize:
		return g, fmt.Errorf("%w: header says %d bytes, region has %d", ErrSizeMismatch, g.regionSize, len(b))
	}
	cfg := Config{
		MaxItemSize:  int(le.Uint32(b[hMaxItem:])),
		PageSize:     int(le.Uint32(b[hPageSize:])),
		GrowthFactor: float64(le.Uint32(b[hGrowthMilli:])) / 1000,
		MinChunk:     int(le.Uint32(b[hMinChunk:])),
		MaxSlots:     int(le.Uint32(b[hMaxSlots:])),
		Stripes:      int(le.Uint32(b[hNumStripes:])),
		ClassShards:  int(le.Uint32(b[hClassShards:])),
	}
	if cfg.MaxItemSize == 0 || cfg.PageSize == 0 || cfg.GrowthFactor == 0 || cfg.MinChunk == 0 || cfg.MaxSlots == 0 || cfg.Stripes == 0 || cfg.ClassShards == 0 {
		return g, fmt.Errorf("%w: header has a zero size field", ErrCorrupt)
	}
	power := uint64(le.Uint32(b[hInitPower:]))
	if power == 0 {
		return g, fmt.Errorf("%w: initial hash power 0", ErrCorrupt)
	}
	g2, err := newGeometry(g.regionSize, cfg, power)
	if err != nil {
		return g, fmt.Errorf("%w: header config invalid: %v", ErrCorrupt, err)
	}
	if uint64(le.Uint32(b[hNumClasses:])) != uint64(len(g2.classSizes)-1) ||
		le.Uint64(b[hClassOff:]) != g2.classOff || le.Uint64(b[hStripeOff:]) != g2.stripeOff ||
		le.Uint64(b[hSlotStatsOff:]) != g2.slotStatsOff || le.Uint64(b[hPageTableOff:]) != g2.pageTableOff ||
		le.Uint64(b[hInitTableOff:]) != g2.initTableOff || le.Uint64(b[hFirstPage:]) != g2.firstPage ||
		uint64(le.Uint32(b[hNumPages:])) != g2.numPages || g2.numPages == 0 {
		return g, fmt.Errorf("%w: header offsets disagree with its sizes", ErrCorrupt)
	}
	return g2, nil
}
