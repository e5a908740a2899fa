//go:build linux

package plib

import (
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/plibcached/plibcached/plib/handoff"
	"golang.org/x/sys/unix"
)

// serveMemfd creates a memfd segment and serves it on a socket in dir with cfg (its
// Segment filled in); the server is closed at the test's end.
func serveMemfd(t *testing.T, dir string, cfg handoff.Config) (*Client, *os.File, string) {
	t.Helper()
	c, f := createMemfdTest(t)
	sock := filepath.Join(dir, "plibd.sock")
	l, err := handoff.Listen(sock, 0o666)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Segment = f
	cfg.Logf = t.Logf
	s, err := handoff.NewServer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve(l) }()
	t.Cleanup(func() { s.Close(); <-done })
	return c, f, sock
}

// TestDial: a Client attached through plibd's socket shares the store with the server's;
// a process the policy refuses gets ErrRefused naming the reason.
func TestDial(t *testing.T) {
	c, _, sock := serveMemfd(t, t.TempDir(), handoff.Config{Policy: handoff.Policy{UIDs: []uint32{uint32(os.Geteuid())}}})
	d, err := Dial(sock, Options{Protection: ModeNoPKU})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	d.Set(&Item{Key: "k", Value: []byte("via the socket")})
	if it, err := c.Get("k"); err != nil || string(it.Value) != "via the socket" {
		t.Fatalf("server's client reads %v %v", it, err)
	}

	_, _, sock = serveMemfd(t, t.TempDir(), handoff.Config{})
	_, err = Dial(sock, Options{Protection: ModeNoPKU})
	var re *handoff.RefusedError
	if !errors.Is(err, ErrRefused) || !errors.As(err, &re) || re.Reason == "" {
		t.Fatalf("dial under the empty policy: %v", err)
	}
	if _, err := Dial(sock, Options{Protection: Mode(9)}); !errors.Is(err, ErrOptions) {
		t.Fatalf("bad options: %v", err)
	}
}

// crossUID prepares for children that run as other users: a copy of this test binary in
// a directory everyone may enter, where the socket goes too. It skips unless root.
func crossUID(t *testing.T) (bin, dir string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root: runs children as other uids (SysProcAttr.Credential)")
	}
	dir, err := os.MkdirTemp("", "plib-handoff-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	src, err := os.Open(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	bin = filepath.Join(dir, "plib.test")
	dst, err := os.OpenFile(bin, os.O_WRONLY|os.O_CREATE, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	_, err = io.Copy(dst, src)
	if err = errors.Join(err, dst.Close()); err != nil {
		t.Fatal(err)
	}
	return bin, dir
}

// childAs is child name, run from bin as uid:gid with supplementary groups (none if nil).
func childAs(bin, name, sock, arg string, uid, gid uint32, groups ...uint32) *exec.Cmd {
	cmd := exec.Command(bin, "-test.run=^$")
	cmd.Dir = filepath.Dir(bin)
	cmd.Env = append(os.Environ(), plibChildEnv+"="+name, plibPathEnv+"="+sock, plibArgEnv+"="+arg)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uid, Gid: gid, Groups: groups}}
	return cmd
}

func checkNoSHM(t *testing.T, f *os.File) {
	t.Helper()
	link, err := os.Readlink("/proc/self/fd/" + itoa(int(f.Fd())))
	if err != nil || len(link) < 7 || link[:7] != "/memfd:" {
		t.Fatalf("segment descriptor links to %q (%v), want /memfd:...", link, err)
	}
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil || st.Nlink != 0 {
		t.Fatalf("segment has %d links (%v), want none", st.Nlink, err)
	}
}
