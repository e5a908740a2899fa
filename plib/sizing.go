package plib

import "github.com/plibcached/plibcached/kv"

// SegmentSizeFor estimates the segment size (rounded up to a page) that holds items
// records with keys of keyLen and values of valueLen bytes without evicting, with opts'
// item size and client slots (each slot has a scratch area of MaxItemSize bytes).
func SegmentSizeFor(items int64, keyLen, valueLen int, opts Options) (int64, error) {
	o := opts.withDefaults()
	o.Size = 1 << 62
	l, err := newLayout(o)
	if err != nil {
		return 0, err
	}
	region, err := kv.RegionSizeFor(items, kv.ItemSize(keyLen, valueLen), kvConfig(o, o.MaxClients))
	if err != nil {
		return 0, err
	}
	return int64(alignUp(l.kvOff+region, pageSize)), nil
}
