package main

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/plibcached/plibcached/plib"
)

const dialChildEnv = "PLIBD_TEST_DIAL_CHILD"

func init() {
	// A child for TestMemfdHandoff: it attaches through the handoff socket, takes a slot,
	// stores, says "ready" and waits to be killed.
	if sock := os.Getenv(dialChildEnv); sock != "" {
		attach := plib.Dial
		if path, ok := strings.CutPrefix(sock, "file:"); ok {
			sock, attach = path, plib.Open
		}
		c, err := attach(sock, plib.Options{Protection: plib.ModeNoPKU})
		if err != nil {
			fmt.Println(err)
			os.Exit(1)
		}
		s, err := c.Session()
		if err == nil {
			err = s.Set([]byte("child"), []byte("was here"), 0, 0)
		}
		if err != nil {
			fmt.Println(err)
			os.Exit(1)
		}
		fmt.Println("ready")
		time.Sleep(time.Hour)
	}
}

// startDaemon runs plibd in a process of its own with args and returns it once the file at
// ready exists (a socket it creates).
func startDaemon(t *testing.T, ready string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "PLIBD_TEST_MAIN=1")
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() })
	for i := 0; ; i++ {
		if _, err := os.Stat(ready); err == nil {
			return cmd
		}
		if i > 500 {
			t.Fatalf("plibd did not create %s", ready)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestMemfdHandoff: with -memfd the segment is on no filesystem; an allowed process gets it
// through the handoff socket and shares it with the text protocol; plibd repairs after a
// client it handed the segment to is killed; a process the policy does not allow is refused.
func TestMemfdHandoff(t *testing.T) {
	dir := t.TempDir()
	fdSock, textSock := filepath.Join(dir, "fd.sock"), filepath.Join(dir, "text.sock")
	d := startDaemon(t, textSock, "-memfd", "-handoff", fdSock, "-allow", fmt.Sprintf("uid=%d", os.Getuid()),
		"-listen", "", "-unix", textSock, "-memory", "64", "-clients", "8")
	c, err := dialHandoff(fdSock)
	if err != nil {
		t.Fatalf("no handoff: %v", err)
	}
	defer c.Close()
	maps, _ := os.ReadFile(fmt.Sprintf("/proc/%d/maps", d.Process.Pid))
	if !strings.Contains(string(maps), "/memfd:") {
		t.Fatalf("plibd maps no memfd:\n%s", maps)
	}
	if err := c.Set(&plib.Item{Key: "k", Value: []byte("through plib")}); err != nil {
		t.Fatal(err)
	}
	conn, err := net.Dial("unix", textSock)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	r := bufio.NewReader(conn)
	fmt.Fprintf(conn, "get k\r\n")
	if line, _ := r.ReadString('\n'); line != "VALUE k 0 12\r\n" {
		t.Fatalf("get over the text protocol: %q", line)
	}

	killAndAwaitRecovery(t, c, fdSock)
}

// killAndAwaitRecovery starts a client that attaches through target (a handoff socket, or
// "file:" and a segment path), kills it once it holds a slot, and waits for plibd to free
// that slot, which c, on the same segment, watches.
func killAndAwaitRecovery(t *testing.T, c *plib.Client, target string) {
	t.Helper()
	child := exec.Command(os.Args[0], "-test.run=^$")
	child.Env = append(os.Environ(), dialChildEnv+"="+target)
	out, _ := child.StdoutPipe()
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	if line, _ := bufio.NewReader(out).ReadString('\n'); line != "ready\n" {
		child.Process.Kill()
		child.Wait()
		t.Fatalf("child: %q", line)
	}
	if it, err := c.Get("child"); err != nil || string(it.Value) != "was here" {
		t.Fatalf("child's value: %v", err)
	}
	_, deadBefore := c.SlotOwners()
	child.Process.Signal(syscall.SIGKILL)
	killed := time.Now()
	child.Wait()
	for {
		live, dead := c.SlotOwners()
		if dead == 0 && time.Since(killed) > 50*time.Millisecond {
			t.Logf("the killed client's slot was recovered within %v (%d live slots now)", time.Since(killed).Round(time.Millisecond), live)
			break
		}
		if time.Since(killed) > 5*time.Second {
			t.Fatalf("the killed client's slot is still dead (dead before %d, now %d)", deadBefore, dead)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestWatchFileClients: with a file-backed segment, local clients open the file
// themselves; plibd finds them in the slot table and repairs after one that is killed.
func TestWatchFileClients(t *testing.T) {
	dir := t.TempDir()
	seg, textSock := filepath.Join(dir, "seg"), filepath.Join(dir, "text.sock")
	startDaemon(t, textSock, "-segment", seg, "-listen", "", "-unix", textSock, "-memory", "64", "-clients", "8")
	c, err := plib.Open(seg, plib.Options{Protection: plib.ModeNoPKU})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	killAndAwaitRecovery(t, c, "file:"+seg)
}

// TestHandoffRefuses: a process whose uid and gid are not on the list gets ErrRefused.
func TestHandoffRefuses(t *testing.T) {
	dir := t.TempDir()
	fdSock, textSock := filepath.Join(dir, "fd.sock"), filepath.Join(dir, "text.sock")
	startDaemon(t, textSock, "-memfd", "-handoff", fdSock, "-allow", "uid=54321 gid=54321",
		"-listen", "", "-unix", textSock, "-memory", "64", "-clients", "8")
	if os.Getuid() == 54321 || os.Getgid() == 54321 {
		t.Skip("this process is on the test's allow list")
	}
	_, err := dialHandoff(fdSock)
	if !errors.Is(err, plib.ErrRefused) {
		t.Fatalf("Dial = %v, want ErrRefused", err)
	}
}

func TestAccessFlags(t *testing.T) {
	for _, bad := range [][]string{{"-handoff", "/tmp/x"}, {"-allow", "uid=1"}, {"-memfd"}, {"-memfd", "-handoff", "/tmp/x", "-allow", "uid=x"}} {
		if _, err := parseFlags(bad, new(strings.Builder)); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// dialHandoff dials the handoff socket at path until it listens (for 5 s at most): its file
// appears when the daemon binds it, a moment before it listens, and a dial in between is
// refused by the kernel (ECONNREFUSED), not by the daemon's policy (ErrRefused).
func dialHandoff(path string) (*plib.Client, error) {
	for i := 0; ; i++ {
		c, err := plib.Dial(path, plib.Options{Protection: plib.ModeNoPKU})
		if err == nil || !(errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ENOENT)) || i >= 500 {
			return c, err
		}
		time.Sleep(10 * time.Millisecond)
	}
}
