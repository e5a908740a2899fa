package harness_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/plibcached/plibcached/harness"
	"github.com/plibcached/plibcached/harness/backendtest"
)

// testedBackends are the backends this package provides.
var testedBackends = []string{"gomap", "memcached", "memcached-unix", "plib-nopku", "plib-pku", "redis", "redis-unix", "lmdb"}

// openOrSkip opens name, skipping the test with the reason when the backend cannot run here.
func openOrSkip(t *testing.T, name string, cfg harness.Config) harness.Backend {
	t.Helper()
	b, err := harness.Open(name, cfg)
	if errors.Is(err, harness.ErrUnavailable) {
		t.Skipf("%s unavailable: %v", name, err)
	}
	if err != nil {
		t.Fatalf("Open(%s): %v", name, err)
	}
	t.Cleanup(func() {
		if err := b.Close(); err != nil {
			t.Errorf("%s: Close: %v", name, err)
		}
	})
	return b
}

func TestConformance(t *testing.T) {
	for _, name := range testedBackends {
		t.Run(name, func(t *testing.T) {
			b := openOrSkip(t, name, harness.Config{RecordCount: 10000, MaxKeySize: 64,
				MaxValueSize: backendtest.LargeValue, Workers: backendtest.Workers, ServerThreads: 2})
			if b.Name() != name {
				t.Errorf("Name() = %q, want %q", b.Name(), name)
			}
			backendtest.TestBackend(t, b)
		})
	}
}

func TestRegistry(t *testing.T) {
	names := harness.Names()
	for _, want := range testedBackends {
		if !harness.Registered(want) || harness.Describe(want) == "" {
			t.Errorf("%s not registered with a description (Names: %v)", want, names)
		}
	}
	_, err := harness.Open("no-such-backend", harness.Config{})
	if !errors.Is(err, harness.ErrUnknownBackend) {
		t.Fatalf("Open of an unknown name: err = %v, want ErrUnknownBackend", err)
	}
	for _, want := range testedBackends {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("unknown-backend error %q does not list %s", err, want)
		}
	}
}

func TestRegisterTwicePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Fatal("registering gomap a second time did not panic")
		}
	}()
	harness.Register("gomap", func(harness.Config) (harness.Backend, error) { return nil, nil }, "duplicate")
}

func TestMissingMemcachedBinary(t *testing.T) {
	for _, name := range []string{"memcached", "memcached-unix"} {
		_, err := harness.Open(name, harness.Config{RecordCount: 10, MemcachedBinary: "/nonexistent/memcached"})
		if !errors.Is(err, harness.ErrMemcachedNotFound) || !errors.Is(err, harness.ErrUnavailable) {
			t.Fatalf("%s with a missing binary: err = %v, want ErrMemcachedNotFound wrapping ErrUnavailable", name, err)
		}
		if !strings.Contains(err.Error(), "apt-get install -y memcached") {
			t.Errorf("error %q does not say how to install memcached", err)
		}
	}
}

func TestRefusesRecordsThatDoNotFit(t *testing.T) {
	avail, err := harness.MemAvailable()
	if err != nil {
		t.Skipf("no /proc/meminfo: %v", err)
	}
	records := avail / 100 // of 5 KB each: fifty times what is available
	for _, name := range testedBackends {
		_, err := harness.Open(name, harness.Config{RecordCount: records, MaxKeySize: 24, MaxValueSize: 5000})
		if errors.Is(err, harness.ErrUnavailable) {
			continue
		}
		if !errors.Is(err, harness.ErrInsufficientMemory) {
			t.Fatalf("%s with %d records of 5 KB: err = %v, want ErrInsufficientMemory", name, records, err)
		}
		if !strings.Contains(err.Error(), "needs an estimated") || !strings.Contains(err.Error(), "GiB") {
			t.Errorf("%s: error %q does not give the estimate", name, err)
		}
	}
}
