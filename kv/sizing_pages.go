package kv

// RegionSizeForItemMemory is the region size whose slab area is itemBytes rounded up to
// whole pages (at least one) under cfg, after the tables and the initial hash table:
// memcached's -m, which sets the memory for items rather than for the whole region.
func RegionSizeForItemMemory(itemBytes int64, cfg Config) (uint64, error) {
	cfg = cfg.withDefaults()
	g, err := newGeometry(1<<62, cfg, 0)
	if err != nil {
		return 0, err
	}
	p := max((uint64(max(itemBytes, 0))+g.pageSize-1)/g.pageSize, 1)
	size := p * g.pageSize
	for range 3 { // the page table's length depends on the region's size: settle it
		maxPages := (size + g.pageSize - 1) / g.pageSize
		first := alignUp(alignUp(g.pageTableOff+maxPages*4, cacheLine)+8<<g.initPower, osPage)
		size = first + p*g.pageSize
	}
	return size, nil
}
