package plib

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"golang.org/x/sys/unix"
)

// Item 4 of issue 12: Open never follows a symlink at the segment's path, and attaches
// only a regular file of the caller's with no permission bits beyond Options.FileMode.

// openRefused opens path and wants err to wrap want, name the path, and leave nothing open.
func openRefused(t *testing.T, path string, opts Options, want error) {
	t.Helper()
	opts.Protection = ModeNoPKU
	c, err := Open(path, opts)
	if err == nil {
		c.Close()
		t.Fatalf("Open(%s) succeeded, want %v", path, want)
	}
	if !errors.Is(err, want) {
		t.Fatalf("Open(%s): %v, want %v", path, err, want)
	}
	if !strings.Contains(err.Error(), path) {
		t.Errorf("Open(%s): %q does not name the path", path, err)
	}
	t.Logf("refused: %v", err)
}

// TestOpenRefusesSymlink: a symlink planted at the segment's path, to a path where no file
// is yet (which the caller would create) or to an existing file of the caller's (which it
// would format), is refused, and neither target is created or changed.
func TestOpenRefusesSymlink(t *testing.T) {
	dir := t.TempDir()
	absent := filepath.Join(dir, "root-only", "would-be-created")
	os.Mkdir(filepath.Dir(absent), 0o700)
	planted := filepath.Join(dir, "seg")
	if err := os.Symlink(absent, planted); err != nil {
		t.Fatal(err)
	}
	openRefused(t, planted, Options{}, ErrSymlink)
	if _, err := os.Lstat(absent); !os.IsNotExist(err) {
		t.Errorf("the symlink's target was created: %v", err)
	}

	existing := filepath.Join(dir, "precious")
	if err := os.WriteFile(existing, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	planted2 := filepath.Join(dir, "seg2")
	os.Symlink(existing, planted2)
	openRefused(t, planted2, Options{}, ErrSymlink)
	if st, err := os.Stat(existing); err != nil || st.Size() != 0 {
		t.Errorf("the symlink's target was changed: %v, %d bytes", err, st.Size())
	}
}

// TestOpenRefusesPermissiveFile: an empty 0644 file (which another user may have planted
// to read the store) is refused and left empty; so is a 0600 file with a set-id bit. With
// Options.FileMode 0644 the same file is taken.
func TestOpenRefusesPermissiveFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "seg")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	os.Chmod(path, 0o644) // whatever the umask
	openRefused(t, path, Options{}, ErrPermissive)
	if st, _ := os.Stat(path); st.Size() != 0 {
		t.Fatalf("the refused file was formatted: %d bytes", st.Size())
	}
	setgid := filepath.Join(dir, "setgid")
	os.WriteFile(setgid, nil, 0o600)
	os.Chmod(setgid, 0o600|os.ModeSetgid)
	openRefused(t, setgid, Options{}, ErrPermissive)

	opts := testOptions(ModeNoPKU)
	opts.FileMode = 0o644
	c, err := Open(path, opts)
	if err != nil {
		t.Fatalf("FileMode 0644 on a 0644 file: %v", err)
	}
	c.Close()
}

// TestOpenRefusesNonRegular: a fifo (which must not block Open), a directory, a character
// device and a file with a second hard link are refused with ErrNotRegular.
func TestOpenRefusesNonRegular(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := unix.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	openRefused(t, fifo, Options{}, ErrNotRegular)
	sub := filepath.Join(dir, "dir")
	os.Mkdir(sub, 0o700)
	openRefused(t, sub, Options{}, ErrNotRegular)
	if st, err := os.Stat("/dev/null"); err == nil && st.Mode()&os.ModeCharDevice != 0 {
		openRefused(t, "/dev/null", Options{}, ErrNotRegular)
	}

	linked := filepath.Join(dir, "linked")
	os.WriteFile(linked, nil, 0o600)
	if err := os.Link(linked, filepath.Join(dir, "other-name")); err != nil {
		t.Fatal(err)
	}
	openRefused(t, linked, Options{}, ErrNotRegular)
}

// TestOpenRefusesOtherOwner: an empty 0600 file owned by another uid is refused (run as
// root, which can make one; any other user cannot chown, so the test skips).
func TestOpenRefusesOtherOwner(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to chown a file to another uid; as a user, another uid's 0600 file cannot be opened at all")
	}
	path := filepath.Join(t.TempDir(), "seg")
	os.WriteFile(path, nil, 0o600)
	if err := os.Chown(path, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	openRefused(t, path, Options{}, ErrNotOwner)
	if st, _ := os.Stat(path); st.Size() != 0 {
		t.Fatalf("the refused file was formatted: %d bytes", st.Size())
	}
}

// TestOpenCreateMode: a new segment file has exactly FileMode (default 0600) whatever the
// umask, its descriptor is close-on-exec, and a bad FileMode is ErrOptions.
func TestOpenCreateMode(t *testing.T) {
	old := unix.Umask(0o077)
	defer unix.Umask(old)
	for _, mode := range []os.FileMode{0, 0o660} {
		path := filepath.Join(t.TempDir(), "seg")
		opts := testOptions(ModeNoPKU)
		opts.FileMode = mode
		c, err := Open(path, opts)
		if err != nil {
			t.Fatal(err)
		}
		want := opts.fileMode()
		if st, _ := os.Stat(path); st.Mode().Perm() != want {
			t.Errorf("FileMode %#o: created with %#o, want %#o", mode, st.Mode().Perm(), want)
		}
		if flags, err := unix.FcntlInt(c.seg.file.Fd(), unix.F_GETFD, 0); err != nil || flags&unix.FD_CLOEXEC == 0 {
			t.Errorf("segment descriptor flags %#x (%v): not close-on-exec", flags, err)
		}
		c.Close()
	}
	for _, bad := range []os.FileMode{0o400, 0o1600, os.ModeSetuid | 0o600, 0o060} {
		path := filepath.Join(t.TempDir(), "seg")
		if _, err := Open(path, Options{Protection: ModeNoPKU, FileMode: bad}); !errors.Is(err, ErrOptions) {
			t.Errorf("FileMode %#o: %v, want ErrOptions", uint32(bad), err)
		}
		if _, err := os.Lstat(path); !os.IsNotExist(err) {
			t.Errorf("FileMode %#o: a file was created", uint32(bad))
		}
	}
}

// TestOpenCreateRace: many goroutines open one new path at once; the file is created
// once (O_EXCL) and everyone attaches the same segment.
func TestOpenCreateRace(t *testing.T) {
	path := filepath.Join(t.TempDir(), "seg")
	var wg sync.WaitGroup
	clients := make([]*Client, 8)
	errs := make([]error, len(clients))
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			clients[i], errs[i] = Open(path, testOptions(ModeNoPKU))
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("opener %d: %v", i, err)
		}
		defer clients[i].Close()
	}
	if err := clients[0].Set(&Item{Key: "k", Value: []byte("v")}); err != nil {
		t.Fatal(err)
	}
	for i, c := range clients {
		if it, err := c.Get("k"); err != nil || string(it.Value) != "v" {
			t.Fatalf("opener %d sees another segment: %v", i, err)
		}
	}
}
