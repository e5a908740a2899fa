package protocol

import (
	"bytes"
	"errors"
	"fmt"
	"testing"

	"github.com/bradfitz/gomemcache/memcache"

	"github.com/plibcached/plibcached/plib"
)

// TestGomemcache runs gomemcache's client, unchanged, against plibd over TCP.
func TestGomemcache(t *testing.T) {
	_, addr := startPlibd(t, true, nil)
	mc := memcache.New(addr)
	defer mc.Close()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(mc.Ping())
	must(mc.Set(&memcache.Item{Key: "a", Value: []byte("1"), Flags: 7}))
	it, err := mc.Get("a")
	must(err)
	if string(it.Value) != "1" || it.Flags != 7 {
		t.Fatalf("get a: %+v", it)
	}
	if _, err := mc.Get("missing"); err != memcache.ErrCacheMiss {
		t.Fatalf("get missing: %v", err)
	}
	if err := mc.Add(&memcache.Item{Key: "a", Value: []byte("x")}); err != memcache.ErrNotStored {
		t.Fatalf("add existing: %v", err)
	}
	must(mc.Replace(&memcache.Item{Key: "a", Value: []byte("10")}))
	must(mc.Append(&memcache.Item{Key: "a", Value: []byte("0")}))
	must(mc.Prepend(&memcache.Item{Key: "a", Value: []byte(" ")}))
	if n, err := mc.Increment("a", 5); err != nil || n != 105 {
		t.Fatalf("incr: %d %v", n, err)
	}
	if n, err := mc.Decrement("a", 200); err != nil || n != 0 {
		t.Fatalf("decr: %d %v", n, err)
	}
	if _, err := mc.Increment("missing", 1); err != memcache.ErrCacheMiss {
		t.Fatalf("incr missing: %v", err)
	}
	keys := make([]string, 100)
	for i := range keys {
		keys[i] = fmt.Sprintf("multi%d", i)
		must(mc.Set(&memcache.Item{Key: keys[i], Value: bytes.Repeat([]byte{byte('a' + i%26)}, i*100)}))
	}
	got, err := mc.GetMulti(append(keys, "missing"))
	must(err)
	if len(got) != len(keys) {
		t.Fatalf("getmulti: %d items, want %d", len(got), len(keys))
	}
	for i, k := range keys {
		if len(got[k].Value) != i*100 {
			t.Fatalf("getmulti %s: %d bytes", k, len(got[k].Value))
		}
	}
	it, err = mc.Get("multi1")
	must(err)
	it.Value = []byte("swapped")
	must(mc.CompareAndSwap(it))
	it.Value = []byte("stale")
	if err := mc.CompareAndSwap(it); err != memcache.ErrCASConflict {
		t.Fatalf("stale cas: %v", err)
	}
	must(mc.Delete("multi1"))
	if err := mc.CompareAndSwap(it); err != memcache.ErrCacheMiss { // memcached's NOT_FOUND
		t.Fatalf("cas of a deleted item: %v", err)
	}
	if err := mc.Delete("multi1"); err != memcache.ErrCacheMiss {
		t.Fatalf("delete missing: %v", err)
	}
	must(mc.Touch("multi2", 3600))
	if err := mc.Touch("missing", 10); err != memcache.ErrCacheMiss {
		t.Fatalf("touch missing: %v", err)
	}
	it, err = mc.GetAndTouch("multi3", 3600)
	must(err)
	if len(it.Value) != 300 {
		t.Fatalf("gat: %d bytes", len(it.Value))
	}
	if err := mc.Set(&memcache.Item{Key: "big", Value: make([]byte, 2<<20)}); err == nil {
		t.Fatal("a 2 MiB value was stored")
	}
	must(mc.Set(&memcache.Item{Key: "after-big", Value: []byte("ok")})) // the connection survived
	must(mc.DeleteAll())
	if _, err := mc.Get("after-big"); err != memcache.ErrCacheMiss {
		t.Fatalf("get after flush_all: %v", err)
	}
	must(mc.Set(&memcache.Item{Key: "b", Value: []byte("x")}))
	must(mc.FlushAll())
	if _, err := mc.Get("b"); err != memcache.ErrCacheMiss {
		t.Fatalf("get after FlushAll: %v", err)
	}
}

// TestSharedSegment writes through plibd and reads through plib on the same segment, and
// the other way round: remote and local clients see one store.
func TestSharedSegment(t *testing.T) {
	ts, addr := startPlibd(t, true, nil)
	local, err := plib.Open(ts.seg, plib.Options{Protection: plib.ModeNoPKU})
	if err != nil {
		t.Fatal(err)
	}
	defer local.Close()
	mc := memcache.New(addr)
	defer mc.Close()

	if err := mc.Set(&memcache.Item{Key: "remote", Value: []byte("from plibd"), Flags: 42}); err != nil {
		t.Fatal(err)
	}
	it, err := local.Get("remote")
	if err != nil || string(it.Value) != "from plibd" || it.Flags != 42 {
		t.Fatalf("plib get of a plibd set: %+v %v", it, err)
	}
	if err := local.Set(&plib.Item{Key: "local", Value: []byte("from plib"), Flags: 9}); err != nil {
		t.Fatal(err)
	}
	got, err := mc.Get("local")
	if err != nil || string(got.Value) != "from plib" || got.Flags != 9 {
		t.Fatalf("plibd get of a plib set: %+v %v", got, err)
	}
	// CAS ids are the store's: one read through plib is good for a cas through plibd.
	it, err = local.Get("local")
	if err != nil {
		t.Fatal(err)
	}
	if err := mc.CompareAndSwap(&memcache.Item{Key: "local", Value: []byte("swapped"), CasID: it.CasID}); err != nil {
		t.Fatalf("plibd cas with plib's CAS id: %v", err)
	}
	if _, err := local.Increment("remote", 1); !errors.Is(err, plib.ErrNonNumeric) {
		t.Fatalf("plib incr of a plibd string: %v", err)
	}
	if err := mc.Delete("local"); err != nil {
		t.Fatal(err)
	}
	if _, err := local.Get("local"); err != plib.ErrCacheMiss {
		t.Fatalf("plib get after a plibd delete: %v", err)
	}
}

// TestShardedNodes uses several plibd nodes as memcached nodes are used: gomemcache's
// server list shards the keys across them, every key reads back, and each node's segment
// holds exactly the keys gomemcache sent it.
func TestShardedNodes(t *testing.T) {
	var nodes []*testServer
	var addrs []string
	for range 3 {
		ts, addr := startPlibd(t, true, nil)
		nodes, addrs = append(nodes, ts), append(addrs, addr)
	}
	mc := memcache.New(addrs...)
	defer mc.Close()
	const n = 300
	for i := range n {
		if err := mc.Set(&memcache.Item{Key: fmt.Sprint("key", i), Value: []byte(fmt.Sprint("value", i))}); err != nil {
			t.Fatal(err)
		}
	}
	perNode := make([]int, len(nodes))
	for i := range n {
		key := fmt.Sprint("key", i)
		it, err := mc.Get(key)
		if err != nil || string(it.Value) != fmt.Sprint("value", i) {
			t.Fatalf("get %s: %v", key, err)
		}
		held := 0
		for j, ts := range nodes {
			if v, err := ts.client.Get(key); err == nil && string(v.Value) == fmt.Sprint("value", i) {
				held++
				perNode[j]++
			}
		}
		if held != 1 {
			t.Fatalf("%s is on %d nodes, want 1", key, held)
		}
	}
	for j, c := range perNode {
		if c == 0 {
			t.Fatalf("node %d got no keys (%v)", j, perNode)
		}
	}
	t.Logf("keys per node: %v", perNode)
}
