//go:build linux

package plib

import (
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

func createMemfdTest(t *testing.T) (*Client, *os.File) {
	t.Helper()
	c, f, err := CreateMemfd("plib-test", testOptions(ModeNoPKU))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(); f.Close() })
	return c, f
}

// TestMemfdSeals: the memfd has no filesystem name, is mode 0600, and its seals stop
// ftruncate either way and any further seal (so none can stop writable mappings).
func TestMemfdSeals(t *testing.T) {
	c, f := createMemfdTest(t)
	link, err := os.Readlink("/proc/self/fd/" + strconv.Itoa(int(f.Fd())))
	if err != nil || !strings.HasPrefix(link, "/memfd:plib-test") {
		t.Fatalf("fd link %q %v, want /memfd:plib-test", link, err)
	}
	st, _ := f.Stat()
	size := testOptions(ModeNoPKU).Size
	if st.Size() != size || st.Mode().Perm() != 0o600 {
		t.Fatalf("memfd %d bytes mode %v", st.Size(), st.Mode())
	}
	for _, n := range []int64{0, size / 2, size + pageSize} {
		if err := f.Truncate(n); !errors.Is(err, unix.EPERM) {
			t.Errorf("ftruncate to %d: %v, want EPERM", n, err)
		}
	}
	if err := unix.Fallocate(int(f.Fd()), 0, size, pageSize); !errors.Is(err, unix.EPERM) {
		t.Errorf("fallocate past the end: %v, want EPERM", err)
	}
	for _, seal := range []int{unix.F_SEAL_FUTURE_WRITE, unix.F_SEAL_WRITE} {
		if _, err := unix.FcntlInt(f.Fd(), unix.F_ADD_SEALS, seal); !errors.Is(err, unix.EPERM) {
			t.Errorf("add seal %#x: %v, want EPERM", seal, err)
		}
	}
	if st, _ := f.Stat(); st.Size() != size {
		t.Fatalf("size now %d", st.Size())
	}
	if err := c.Set(&Item{Key: "k", Value: []byte("v")}); err != nil {
		t.Fatal(err)
	}
}

// TestOpenFile: a second Client attached through the descriptor shares the store, and
// the descriptor may be closed as soon as it is attached.
func TestOpenFile(t *testing.T) {
	c, f := createMemfdTest(t)
	dup, err := unix.FcntlInt(f.Fd(), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	g := os.NewFile(uintptr(dup), "dup")
	d, err := OpenFile(g, Options{Protection: ModeNoPKU})
	g.Close()
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	c.Set(&Item{Key: "a", Value: []byte("from creator")})
	d.Set(&Item{Key: "b", Value: []byte("from attacher")})
	if it, err := d.Get("a"); err != nil || string(it.Value) != "from creator" {
		t.Fatalf("attacher reads %v %v", it, err)
	}
	if it, err := c.Get("b"); err != nil || string(it.Value) != "from attacher" {
		t.Fatalf("creator reads %v %v", it, err)
	}
	if err := d.Check(); err != nil {
		t.Fatal(err)
	}
}

// TestOpenFileErrors: descriptors that are not sealed segments are refused with typed
// errors, and nothing is formatted.
func TestOpenFileErrors(t *testing.T) {
	_, seg := createMemfdTest(t)
	memfd := func(size int64, seals int, fill byte) *os.File {
		fd, err := unix.MemfdCreate("x", unix.MFD_CLOEXEC|unix.MFD_ALLOW_SEALING)
		if err != nil {
			t.Fatal(err)
		}
		f := os.NewFile(uintptr(fd), "x")
		t.Cleanup(func() { f.Close() })
		f.Truncate(size)
		if fill != 0 {
			f.WriteAt([]byte(strings.Repeat(string(fill), segHeaderSize)), 0)
		}
		if seals != 0 {
			if _, err := unix.FcntlInt(uintptr(fd), unix.F_ADD_SEALS, seals); err != nil {
				t.Fatal(err)
			}
		}
		return f
	}
	file, err := os.Create(t.TempDir() + "/plain")
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	o := Options{Protection: ModeNoPKU}
	for _, tc := range []struct {
		name string
		f    *os.File
		opts Options
		want error
	}{
		{"regular file", file, o, ErrNotSealed},
		{"unsealed memfd", memfd(1<<20, 0, 0), o, ErrNotSealed},
		{"shrink-only seal", memfd(1<<20, unix.F_SEAL_SHRINK|unix.F_SEAL_SEAL, 0), o, ErrNotSealed},
		{"write-sealed", memfd(1<<20, MemfdSeals|unix.F_SEAL_FUTURE_WRITE, 0), o, ErrNotSealed},
		{"empty", memfd(0, MemfdSeals, 0), o, ErrNotSegment},
		{"zeros", memfd(1<<20, MemfdSeals, 0), o, ErrNotSegment},
		{"garbage", memfd(1<<20, MemfdSeals, 'x'), o, ErrNotSegment},
		{"size differs", seg, Options{Protection: ModeNoPKU, Size: 64 << 20}, ErrSizeMismatch},
		{"slots differ", seg, Options{Protection: ModeNoPKU, MaxClients: 9}, ErrSizeMismatch},
		{"nil", nil, o, ErrNotSealed},
	} {
		c, err := OpenFile(tc.f, tc.opts)
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
		if c != nil {
			c.Close()
		}
	}
}
