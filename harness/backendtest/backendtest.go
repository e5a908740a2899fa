package backendtest

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"

	"github.com/plibcached/plibcached/harness"
)

// Sizes the suite needs the backend to accept: values up to LargeValue bytes, keys up to 64
// bytes, a few thousand records and Workers concurrent workers.
const (
	LargeValue = 5 * 1024
	Workers    = 4
)

// TestBackend runs the conformance suite against b, which must be open, empty of keys starting
// with "backendtest:", and sized as the constants above say. It leaves b open.
func TestBackend(t *testing.T, b harness.Backend) {
	t.Helper()
	t.Run("GetMissing", func(t *testing.T) { testGetMissing(t, b) })
	t.Run("SetGet", func(t *testing.T) { testSetGet(t, b) })
	t.Run("Overwrite", func(t *testing.T) { testOverwrite(t, b) })
	t.Run("Delete", func(t *testing.T) { testDelete(t, b) })
	t.Run("Incr", func(t *testing.T) { testIncr(t, b) })
	t.Run("BuffersReusable", func(t *testing.T) { testBuffersReusable(t, b) })
	t.Run("SharedBetweenWorkers", func(t *testing.T) { testShared(t, b) })
	t.Run("ConcurrentWorkers", func(t *testing.T) { testConcurrent(t, b) })
}

// worker opens a worker closed at the end of the test.
func worker(t *testing.T, b harness.Backend) harness.Worker {
	t.Helper()
	w, err := b.NewWorker()
	if err != nil {
		t.Fatalf("%s: NewWorker: %v", b.Name(), err)
	}
	t.Cleanup(func() {
		if err := w.Close(); err != nil {
			t.Errorf("%s: worker Close: %v", b.Name(), err)
		}
	})
	return w
}

// mustGet reads key and fails unless it holds want.
func mustGet(t *testing.T, w harness.Worker, key string, want []byte) {
	t.Helper()
	got, err := w.Get([]byte(key), nil)
	if err != nil {
		t.Fatalf("Get(%q): %v", key, err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("Get(%q) = %d bytes %.40q, want %d bytes %.40q", key, len(got), got, len(want), want)
	}
}

// mustSet stores value under key.
func mustSet(t *testing.T, w harness.Worker, key string, value []byte) {
	t.Helper()
	if err := w.Set([]byte(key), value); err != nil {
		t.Fatalf("Set(%q, %d bytes): %v", key, len(value), err)
	}
}

// pattern returns n bytes that differ from pattern(n, seed') and include protocol bytes.
func pattern(n int, seed byte) []byte {
	v := make([]byte, n)
	for i := range v {
		v[i] = byte(i*7) + seed
	}
	if n >= 4 {
		copy(v[n/2:], "\r\n\x00")
	}
	return v
}

func testGetMissing(t *testing.T, b harness.Backend) {
	w := worker(t, b)
	if _, err := w.Get([]byte("backendtest:missing"), nil); !errors.Is(err, harness.ErrNotFound) {
		t.Fatalf("Get of a missing key: err = %v, want ErrNotFound", err)
	}
}

func testSetGet(t *testing.T, b harness.Backend) {
	w := worker(t, b)
	for _, size := range []int{0, 1, 128, 1000, LargeValue} {
		key := fmt.Sprintf("backendtest:setget:%d", size)
		value := pattern(size, byte(size))
		mustSet(t, w, key, value)
		mustGet(t, w, key, value)
	}
	// The value is appended to dst[:0]: dst's contents are replaced, its array reused when it fits.
	dst := make([]byte, 5, 256)
	copy(dst, "stale")
	got, err := w.Get([]byte("backendtest:setget:128"), dst)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, pattern(128, 128)) || &got[0] != &dst[:1][0] {
		t.Fatalf("Get into a 256-byte dst did not replace dst's contents in place")
	}
}

func testOverwrite(t *testing.T, b harness.Backend) {
	w := worker(t, b)
	key := "backendtest:overwrite"
	for i, size := range []int{128, LargeValue, 16, 128} {
		value := pattern(size, byte(i))
		mustSet(t, w, key, value)
		mustGet(t, w, key, value)
	}
}

func testDelete(t *testing.T, b harness.Backend) {
	w := worker(t, b)
	key := "backendtest:delete"
	mustSet(t, w, key, []byte("doomed"))
	if err := w.Delete([]byte(key)); err != nil {
		t.Fatalf("Delete of a present key: %v", err)
	}
	if _, err := w.Get([]byte(key), nil); !errors.Is(err, harness.ErrNotFound) {
		t.Fatalf("Get after Delete: err = %v, want ErrNotFound", err)
	}
	if err := w.Delete([]byte(key)); !errors.Is(err, harness.ErrNotFound) {
		t.Fatalf("Delete of a missing key: err = %v, want ErrNotFound", err)
	}
}

func testIncr(t *testing.T, b harness.Backend) {
	w := worker(t, b)
	key := "backendtest:counter"
	mustSet(t, w, key, []byte("10"))
	for i, want := range []uint64{15, 16, 116} {
		delta := []uint64{5, 1, 100}[i]
		got, err := w.Incr([]byte(key), delta)
		if err != nil || got != want {
			t.Fatalf("Incr(%d) = %d, %v; want %d", delta, got, err, want)
		}
	}
	mustGet(t, w, key, []byte("116"))
	if _, err := w.Incr([]byte("backendtest:nocounter"), 1); !errors.Is(err, harness.ErrNotFound) {
		t.Fatalf("Incr of a missing key: err = %v, want ErrNotFound", err)
	}
}

// testBuffersReusable checks that the backend keeps no reference to the caller's key and value.
func testBuffersReusable(t *testing.T, b harness.Backend) {
	w := worker(t, b)
	key := []byte("backendtest:reuse:A")
	value := pattern(128, 1)
	want := bytes.Clone(value)
	if err := w.Set(key, value); err != nil {
		t.Fatal(err)
	}
	key[len(key)-1] = 'B'
	for i := range value {
		value[i] = 0xEE
	}
	mustGet(t, w, "backendtest:reuse:A", want)
	if _, err := w.Get([]byte("backendtest:reuse:B"), nil); !errors.Is(err, harness.ErrNotFound) {
		t.Fatalf("key buffer changed after Set created a second key: %v", err)
	}
}

// testShared checks that what one worker writes another reads.
func testShared(t *testing.T, b harness.Backend) {
	writer, reader := worker(t, b), worker(t, b)
	value := pattern(LargeValue, 3)
	mustSet(t, writer, "backendtest:shared", value)
	mustGet(t, reader, "backendtest:shared", value)
}

// testConcurrent runs Workers workers at once, each writing and reading its own keys and
// incrementing one shared counter, and checks every value and the counter's total.
func testConcurrent(t *testing.T, b harness.Backend) {
	const perWorker = 300
	setup := worker(t, b)
	mustSet(t, setup, "backendtest:shared-counter", []byte("0"))
	workers := make([]harness.Worker, Workers)
	for i := range workers {
		workers[i] = worker(t, b)
	}
	errs := make(chan error, Workers)
	var wg sync.WaitGroup
	for id, w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- concurrentWorker(w, id, perWorker)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	mustGet(t, setup, "backendtest:shared-counter", []byte(strconv.Itoa(Workers*perWorker)))
}

func concurrentWorker(w harness.Worker, id, n int) error {
	var dst []byte
	for i := 0; i < n; i++ {
		key := []byte(fmt.Sprintf("backendtest:concurrent:%d:%d", id, i%17))
		value := pattern(64+i%200, byte(id*31+i))
		if err := w.Set(key, value); err != nil {
			return fmt.Errorf("worker %d: Set: %w", id, err)
		}
		got, err := w.Get(key, dst)
		if err != nil {
			return fmt.Errorf("worker %d: Get: %w", id, err)
		}
		if !bytes.Equal(got, value) {
			return fmt.Errorf("worker %d: Get(%q) returned another value", id, key)
		}
		dst = got
		if _, err := w.Incr([]byte("backendtest:shared-counter"), 1); err != nil {
			return fmt.Errorf("worker %d: Incr: %w", id, err)
		}
	}
	return nil
}
