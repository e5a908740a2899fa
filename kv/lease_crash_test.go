package kv

import "testing"

// TestCrashLeases stops a client at every journaled store of the lease operations (mg N
// vivifying, md I, ms I under an older CAS id) and checks that repair leaves a consistent
// store with the item as it was or as the call left it.
func TestCrashLeases(t *testing.T) {
	fillK := func(w *crashWorld, t *testing.T) { fill(t, w.s, "k", 50, 40) }
	same := func(b string) []string { return []string{b} }
	for _, sc := range []crashScenario{
		{name: "lease-vivify", cfg: crashSmall, size: 4 << 20, setup: fillK,
			op: func(s *Store, slot Slot) {
				s.MetaLease(slot, []byte("fresh"), LeaseReq{Vivify: true, VivifyExptime: 30})
			}, key: "fresh", allowed: same},
		{name: "invalidate", cfg: crashSmall, size: 4 << 20, setup: fillK,
			op: func(s *Store, slot Slot) {
				ttl := int64(30)
				s.Invalidate(slot, []byte("k3"), 0, &ttl)
			}, key: "k3", allowed: same},
		{name: "store-stale", cfg: crashSmall, size: 4 << 20, setup: fillK,
			op:  func(s *Store, slot Slot) { s.StoreStale(slot, []byte("k7"), []byte("stale"), 0, 0, 1) },
			key: "k7", allowed: func(b string) []string { return []string{b, "stale"} }},
	} {
		t.Run(sc.name, func(t *testing.T) {
			w := newCrashWorld(t, sc.cfg, sc.size)
			sc.setup(w, t)
			_, total := w.runVictim(0, sc.op)
			if total == 0 {
				t.Fatal("the operation made no journaled store")
			}
			for i, k := range crashPoints(total) {
				crashOnce(t, sc, k, i%2 == 0)
			}
		})
	}
}
