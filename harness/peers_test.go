package harness_test

import (
	"bytes"
	"errors"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/plibcached/plibcached/harness"
)

func TestMissingRedisBinary(t *testing.T) {
	t.Setenv("REDIS_SERVER", "/nonexistent/redis-server")
	for _, name := range []string{"redis", "redis-unix"} {
		_, err := harness.Open(name, harness.Config{RecordCount: 10})
		if !errors.Is(err, harness.ErrRedisNotFound) || !errors.Is(err, harness.ErrUnavailable) {
			t.Fatalf("%s with a missing binary: err = %v, want ErrRedisNotFound wrapping ErrUnavailable", name, err)
		}
		if !strings.Contains(err.Error(), "apt-get install -y redis-server") {
			t.Errorf("error %q does not say how to install redis-server", err)
		}
	}
}

// TestAttach checks that a second backend attached to the first's server (the other processes
// of a multi-process run) sees what the first wrote, and that closing it leaves the server up.
func TestAttach(t *testing.T) {
	for _, name := range []string{"memcached", "memcached-unix", "redis", "redis-unix"} {
		t.Run(name, func(t *testing.T) {
			cfg := harness.Config{RecordCount: 100, MaxKeySize: 32, MaxValueSize: 128, Workers: 2, ServerThreads: 1}
			owner := openOrSkip(t, name, cfg)
			a, ok := owner.(harness.Attachable)
			if !ok {
				t.Fatalf("%s is not Attachable", name)
			}
			if p, ok := owner.(harness.Persistent); !ok || p.Persistent() {
				t.Fatalf("%s that started its server claims to keep another process's records", name)
			}
			cfg.Attach = a.Attachment()
			attached, err := harness.Open(name, cfg)
			if err != nil {
				t.Fatalf("attach to %s: %v", cfg.Attach, err)
			}
			if p, ok := attached.(harness.Persistent); !ok || !p.Persistent() {
				t.Errorf("attached %s does not report Persistent", name)
			}
			w1, _ := owner.NewWorker()
			defer w1.Close()
			if err := w1.Set([]byte("attach:k"), []byte("shared")); err != nil {
				t.Fatal(err)
			}
			w2, err := attached.NewWorker()
			if err != nil {
				t.Fatal(err)
			}
			if got, err := w2.Get([]byte("attach:k"), nil); err != nil || !bytes.Equal(got, []byte("shared")) {
				t.Fatalf("attached worker read %q, %v; want \"shared\"", got, err)
			}
			w2.Close()
			if err := attached.Close(); err != nil {
				t.Fatal(err)
			}
			if got, err := w1.Get([]byte("attach:k"), nil); err != nil || string(got) != "shared" {
				t.Fatalf("after the attached backend closed, the owner read %q, %v", got, err)
			}
		})
	}
	if _, err := harness.Open("redis", harness.Config{RecordCount: 1, Attach: "udp:1.2.3.4:5"}); !errors.Is(err, harness.ErrInvalidOptions) && !errors.Is(err, harness.ErrUnavailable) {
		t.Errorf("attach to udp: err = %v, want ErrInvalidOptions", err)
	}
}

// TestRedisStopsWithProcessGroup checks that Close kills redis-server: its pid is gone after.
func TestRedisStopsWithProcessGroup(t *testing.T) {
	if _, err := harness.FindRedis(); err != nil {
		t.Skipf("redis unavailable: %v", err)
	}
	s, err := harness.StartRedis(false, 16)
	if err != nil {
		t.Fatal(err)
	}
	pid := s.Pid()
	if !strings.Contains(strings.Join(s.Args(), " "), "--save  --appendonly no") {
		t.Errorf("redis-server flags %q lack --save \"\" --appendonly no", s.Args())
	}
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Fatalf("redis-server pid %d still exists after Stop (kill 0: %v)", pid, err)
	}
}

// TestLMDBShared checks that two opens of one environment file (two processes of a
// multi-process run) share records, and that the second reports Persistent.
func TestLMDBShared(t *testing.T) {
	path := filepath.Join("/dev/shm", "plibcached-lmdb-test-"+strings.ReplaceAll(t.Name(), "/", "-"))
	harness.RemoveLMDB(path)
	t.Cleanup(func() { harness.RemoveLMDB(path) })
	cfg := harness.Config{RecordCount: 1000, MaxKeySize: 32, MaxValueSize: 5000, Workers: 2, Segment: path}
	first := openOrSkip(t, "lmdb", cfg)
	second := openOrSkip(t, "lmdb", cfg)
	if p, ok := second.(harness.Persistent); !ok || !p.Persistent() {
		t.Fatal("an lmdb backend on a shared file does not report Persistent")
	}
	w1, _ := first.NewWorker()
	w2, _ := second.NewWorker()
	defer w1.Close()
	defer w2.Close()
	big := bytes.Repeat([]byte("x"), 5000)
	if err := w1.Set([]byte("k"), big); err != nil {
		t.Fatal(err)
	}
	if got, err := w2.Get([]byte("k"), nil); err != nil || !bytes.Equal(got, big) {
		t.Fatalf("second env read %d bytes, %v; want the 5000 the first wrote", len(got), err)
	}
	if err := w2.Delete([]byte("k")); err != nil {
		t.Fatal(err)
	}
	if _, err := w1.Get([]byte("k"), nil); !errors.Is(err, harness.ErrNotFound) {
		t.Fatalf("first env still reads a key the second deleted: %v", err)
	}
}

func TestLMDBFootprint(t *testing.T) {
	small := harness.LMDBFootprint(1000, 24, 128)
	large := harness.LMDBFootprint(1000, 24, 5120)
	if small == 0 {
		t.Skip("lmdb unavailable: built without cgo")
	}
	if small < 1000*(24+128) || small > 1000*(24+128)*3 {
		t.Errorf("1000 records of 152 B: estimate %d, want between 1x and 3x the data", small)
	}
	if large < 1000*2*4096 { // 5 KiB values take two overflow pages each
		t.Errorf("1000 records of 5 KiB: estimate %d, want at least two pages each", large)
	}
}
