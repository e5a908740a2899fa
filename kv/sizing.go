package kv

// RegionSizeFor estimates the region size that holds items items of itemSize bytes each
// (56-byte header, key and value) without evicting: the tables, the initial hash table
// sized for items, the slab pages those items fill after rounding up to their class's chunk
// size, and one page per class of slack for pages the other classes hold. The estimate is
// what callers check against available memory before loading. The slack is per class id,
// so it counts the class shards. With ClassShards 0 the estimate is for a store that
// scales with its writers: the most shards (mostShards), and at least autoShardMinPages
// pages, so that Format's autoShards splits the classes of a region of that size (pages
// nobody fills are never touched, so a sparse file or fresh mapping does not pay for them).
func RegionSizeFor(items int64, itemSize int, cfg Config) (uint64, error) {
	cfg = cfg.withDefaults()
	cfg.ExpectedItems = items
	shards := cfg.ClassShards
	cfg.ClassShards = 1 // to count the size classes and the pages the items fill
	g, err := newGeometry(1<<62, cfg, 0)
	if err != nil {
		return 0, err
	}
	if itemSize < itemHeaderSize || uint64(itemSize) > g.maxItem {
		return 0, ErrValueTooLarge
	}
	chunk := g.classSizes[len(g.classSizes)-1]
	for _, size := range g.classSizes[1:] {
		if size >= uint64(itemSize) {
			chunk = size
			break
		}
	}
	perPage := g.pageSize / chunk
	pages := (uint64(items) + perPage - 1) / perPage
	base := len(g.classSizes) - 1
	if shards == 0 {
		shards = mostShards(base)
		pages = max(pages+uint64(base*shards), autoShardMinPages)
	} else {
		pages += uint64(base * shards)
	}
	// g was laid out for a huge region: recompute the tables for this one.
	meta := alignUp(alignUp(g.pageTableOff+pages*4, cacheLine)+8<<g.initPower, osPage)
	return meta + pages*g.pageSize, nil
}

// ItemSize is the bytes one item occupies before rounding to its chunk: the 56-byte header,
// the key and the value.
func ItemSize(keyLen, valueLen int) int { return int(itemTotal(keyLen, valueLen)) }
