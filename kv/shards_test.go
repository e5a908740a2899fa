package kv

import (
	"fmt"
	"slices"
	"testing"
)

// TestShardEvictionOrder checks the eviction order shards.go states: a store that needs
// memory evicts the least recently used item of its own key's shard.
func TestShardEvictionOrder(t *testing.T) {
	clock := NewManualClock(testNow)
	var evicted []string
	s, err := Format(alignedRegion(2<<20), Config{MaxItemSize: 16 << 10, PageSize: 64 << 10, Stripes: 16, MaxSlots: 2, ClassShards: 4},
		Options{Clock: clock, OnEvict: func(k []byte) { evicted = append(evicted, string(k)) }})
	if err != nil {
		t.Fatal(err)
	}
	if s.g.shards != 4 {
		t.Fatalf("shards %d, want 4", s.g.shards)
	}
	order := map[uint8][]string{} // per shard, keys oldest first
	val := make([]byte, 900)
	for i := 0; ; i++ {
		if i > 100_000 {
			t.Fatal("no eviction after 100000 sets")
		}
		key := fmt.Sprintf("key%d", i)
		evicted = evicted[:0]
		if _, err := s.Set(0, []byte(key), val, 0, 0); err != nil {
			t.Fatalf("set %s: %v", key, err)
		}
		sh := s.shardOf(hashKey([]byte(key)))
		for _, e := range evicted {
			esh := s.shardOf(hashKey([]byte(e)))
			if esh != sh {
				// A shard with no item to evict takes a page from the class holding the
				// most, evicting that page's items, as a class does.
				order[esh] = slices.DeleteFunc(order[esh], func(k string) bool { return k == e })
				continue
			}
			if len(order[sh]) == 0 || order[sh][0] != e {
				t.Fatalf("set %s (shard %d) evicted %s, want its shard's oldest %v", key, sh, e, order[sh][:min(3, len(order[sh]))])
			}
			order[sh] = order[sh][1:]
		}
		order[sh] = append(order[sh], key)
		if len(evicted) > 0 && i > 5000 {
			break
		}
		clock.Advance(0)
	}
	mustCheck(t, s)
	st := s.Stats()
	if len(st.Slabs) != 1 || st.Slabs[0].Items != uint64(sumLen(order)) {
		t.Fatalf("stats report %d classes (%+v), want the one size class summed over its shards", len(st.Slabs), st.Slabs)
	}
}

func sumLen(m map[uint8][]string) (n int) {
	for _, v := range m {
		n += len(v)
	}
	return n
}
