package kv

import (
	"bytes"
	"fmt"
	"sync"
	"testing"
	"time"
)

// TestReadersPassParkedWriter: a client stops in the middle of a Set, holding the key's
// stripe (and its class shard's lock: it is taking a chunk off the free list). Gets of that
// key, which return the old value, and of other keys of the same stripe complete while it
// stays stopped, without the lock: with a lock timeout of a minute, a Get that waited
// would not return before the writer is let go. Then the writer goes on and its Set
// completes correctly. (A writer to that stripe would wait: kv/doc.go, "Concurrency".)
func TestReadersPassParkedWriter(t *testing.T) {
	if raceEnabled {
		t.Skip("lock-free reads are off under the race detector (race_on.go)")
	}
	s, _ := newTestStore(t, 4<<20, Config{MaxItemSize: 16 << 10, PageSize: 64 << 10, Stripes: 16, MaxSlots: 3, ClassShards: 2})
	s.lockTimeout = time.Minute
	key := []byte("parked")
	stripe := s.stripeOf(hashKey(key))
	var others [][]byte
	for i := 0; len(others) < 5; i++ {
		if k := fmt.Appendf(nil, "other%d", i); s.stripeOf(hashKey(k)) == stripe {
			others = append(others, k)
		}
	}
	for _, k := range append([][]byte{key}, others...) {
		if _, err := s.Set(0, k, append([]byte("old:"), k...), 0, 0); err != nil {
			t.Fatal(err)
		}
	}
	parked, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	s.crashHook = func() { once.Do(func() { close(parked); <-release }) } // the writer's first journaled store
	setDone := make(chan error, 1)
	go func() { _, err := s.Set(1, key, []byte("new value"), 7, 0); setDone <- err }()
	<-parked
	if got := s.m.a32(stripe).Load() & holderMask; got != holder(1) {
		t.Fatalf("stripe held by %d, want the parked writer %d", got, holder(1))
	}
	readsDone := make(chan string, 1)
	go func() {
		buf := make([]byte, 64)
		for _, k := range append([][]byte{key}, others...) {
			m, err := s.Get(2, k, buf)
			if want := append([]byte("old:"), k...); err != nil || !bytes.Equal(buf[:m.Len], want) {
				readsDone <- fmt.Sprintf("get %s while the writer is parked: %q, %v; want %q", k, buf[:m.Len], err, want)
				return
			}
		}
		readsDone <- ""
	}()
	var failure string
	select {
	case failure = <-readsDone:
	case <-setDone:
		failure = "the parked Set finished before it was let go"
	case <-time.After(30 * time.Second):
		failure = "the Gets of the parked writer's stripe waited for it"
	}
	close(release)
	if err := <-setDone; err != nil {
		t.Errorf("the parked Set, let go: %v", err)
	}
	if failure != "" {
		t.Fatal(failure)
	}
	buf := make([]byte, 64)
	if m, err := s.Get(0, key, buf); err != nil || string(buf[:m.Len]) != "new value" || m.Flags != 7 {
		t.Errorf("after the Set: %q flags %d, %v", buf[:m.Len], m.Flags, err)
	}
	s.crashHook = nil
	mustCheck(t, s)
}
