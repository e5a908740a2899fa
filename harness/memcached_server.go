package harness

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// MemcachedOptions configures a memcached server started by the harness.
type MemcachedOptions struct {
	// Binary is the memcached executable; "" searches PATH, then /usr/bin and /usr/local/bin.
	Binary string
	// Threads is memcached's -t; 0 means 4.
	Threads int
	// MemoryMB is memcached's -m; 0 means 64.
	MemoryMB int64
	// Connections is memcached's -c; it is raised to at least 1024.
	Connections int
	// UnixSocket listens on a socket in a fresh temporary directory instead of a loopback TCP port.
	UnixSocket bool
	// ReadyTimeout bounds the wait for the first answer; 0 means 10 s.
	ReadyTimeout time.Duration
	// Stderr, if set, also receives the server's standard error.
	Stderr io.Writer

	// serverArgs, if set, replaces memcached's flags: another server speaking memcached's
	// protocol (plibd) is started, given the TCP address it must listen on.
	serverArgs func(addr string) []string
	// serverEnv, if set, is added to the server's environment.
	serverEnv []string
	// probe, if set, replaces the memcached version probe that tells when the server is ready
	// (a server that speaks another protocol: Redis).
	probe func(network, addr string) error
	// socketName, if set, names the unix socket in its temporary directory.
	socketName string
}

// MemcachedServer is a memcached process owned by the harness. It runs in its own process group
// with Pdeathsig SIGKILL, so it dies with the harness even when the harness is SIGKILLed; Stop
// ends it in every other case (callers defer it, and cancel their context on SIGINT/SIGTERM so
// that the deferred Stop runs).
type MemcachedServer struct {
	cmd      *exec.Cmd
	network  string
	addr     string
	tempDir  string
	args     []string
	stderr   *tailBuffer
	exited   chan struct{}
	waitErr  error
	stopOnce sync.Once
	stopErr  error
}

// FindMemcached returns the memcached executable to run: binary if given (it must exist), else the
// first found on PATH, /usr/bin or /usr/local/bin. The error wraps ErrMemcachedNotFound and says
// how to install it.
func FindMemcached(binary string) (string, error) {
	if binary != "" {
		path, err := exec.LookPath(binary)
		if err != nil {
			return "", fmt.Errorf("%w (looked for %s)", ErrMemcachedNotFound, binary)
		}
		return path, nil
	}
	if path, err := exec.LookPath("memcached"); err == nil {
		return path, nil
	}
	for _, path := range []string{"/usr/bin/memcached", "/usr/local/bin/memcached"} {
		if st, err := os.Stat(path); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
			return path, nil
		}
	}
	return "", ErrMemcachedNotFound
}

// MemcachedVersion returns the version line printed by `memcached -V` ("memcached 1.6.18").
func MemcachedVersion(binary string) (string, error) {
	path, err := FindMemcached(binary)
	if err != nil {
		return "", err
	}
	out, err := exec.Command(path, "-V").Output()
	if err != nil {
		return "", fmt.Errorf("%s -V: %w", path, err)
	}
	return strings.TrimSpace(string(out)), nil
}

// StartMemcached starts a memcached and waits until it answers a version request. A TCP server
// listens on a free loopback port, chosen again if another process takes it first.
func StartMemcached(opts MemcachedOptions) (*MemcachedServer, error) {
	path, err := FindMemcached(opts.Binary)
	if err != nil {
		return nil, err
	}
	return startServer(path, opts)
}

// startServer starts the server at path, choosing another free port if one is taken first.
func startServer(path string, opts MemcachedOptions) (*MemcachedServer, error) {
	var lastErr error
	for attempt := 0; attempt < 5; attempt++ {
		s, err := startOnce(path, opts)
		if err == nil {
			return s, nil
		}
		lastErr = err
		if opts.UnixSocket || !strings.Contains(err.Error(), "in use") {
			break
		}
	}
	return nil, lastErr
}

// startOnce makes one attempt to start and probe the server.
func startOnce(path string, opts MemcachedOptions) (*MemcachedServer, error) {
	s := &MemcachedServer{stderr: &tailBuffer{limit: 4096}, exited: make(chan struct{})}
	if err := s.listenArgs(opts); err != nil {
		return nil, err
	}
	if opts.serverArgs != nil {
		s.args = opts.serverArgs(s.addr)
	} else {
		s.args = append(s.args, memcachedArgs(opts)...)
	}
	s.cmd = exec.Command(path, s.args...)
	if opts.serverEnv != nil {
		s.cmd.Env = append(os.Environ(), opts.serverEnv...)
	}
	s.cmd.Stdout = io.Discard
	s.cmd.Stderr = s.stderr
	if opts.Stderr != nil {
		s.cmd.Stderr = io.MultiWriter(s.stderr, opts.Stderr)
	}
	// Own process group: a terminal's Ctrl-C goes to the harness, which stops the server itself.
	// Pdeathsig: the kernel kills the server if the thread that forked it dies (with the harness).
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := s.spawn(); err != nil {
		s.removeTempDir()
		return nil, fmt.Errorf("start %s: %w", path, err)
	}
	timeout := opts.ReadyTimeout
	if timeout == 0 {
		timeout = 10 * time.Second
	}
	probe := opts.probe
	if probe == nil {
		probe = probeVersion
	}
	if err := s.waitReady(timeout, probe); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}

// listenArgs picks the address and returns memcached's listening flags.
func (s *MemcachedServer) listenArgs(opts MemcachedOptions) error {
	if opts.UnixSocket {
		dir, err := os.MkdirTemp("", "plibcached-memcached-")
		if err != nil {
			return err
		}
		s.tempDir = dir
		name := opts.socketName
		if name == "" {
			name = "memcached.sock"
		}
		s.network, s.addr = "unix", filepath.Join(dir, name)
		s.args = []string{"-s", s.addr, "-a", "0700"}
		return nil
	}
	port, err := freePort()
	if err != nil {
		return err
	}
	s.network, s.addr = "tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	s.args = []string{"-l", "127.0.0.1", "-p", strconv.Itoa(port)}
	return nil
}

// memcachedArgs returns the flags that do not depend on the address: no UDP, threads, memory,
// connections, and -M so that running out of memory is an error instead of a silent eviction.
func memcachedArgs(opts MemcachedOptions) []string {
	threads := opts.Threads
	if threads <= 0 {
		threads = 4
	}
	memoryMB := opts.MemoryMB
	if memoryMB <= 0 {
		memoryMB = 64
	}
	conns := max(opts.Connections, 1024)
	args := []string{"-U", "0", "-t", strconv.Itoa(threads), "-m", strconv.FormatInt(memoryMB, 10),
		"-c", strconv.Itoa(conns), "-M"}
	if os.Geteuid() == 0 {
		args = append(args, "-u", "root") // memcached refuses to run as root without -u
	}
	return args
}

// spawn forks the server from a goroutine locked to its OS thread for the server's whole life.
// Pdeathsig fires when the forking *thread* exits, and Go may retire threads: pinning the fork to
// a thread that outlives the server means the signal fires only when the process dies.
func (s *MemcachedServer) spawn() error {
	started := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		if err := s.cmd.Start(); err != nil {
			runtime.UnlockOSThread()
			started <- err
			return
		}
		started <- nil
		s.waitErr = s.cmd.Wait()
		close(s.exited)
		runtime.UnlockOSThread()
	}()
	return <-started
}

// waitReady probes the server until it answers, exits, or the timeout passes.
func (s *MemcachedServer) waitReady(timeout time.Duration, probe func(network, addr string) error) error {
	deadline := time.Now().Add(timeout)
	var probeErr error
	for time.Now().Before(deadline) {
		select {
		case <-s.exited:
			return fmt.Errorf("%w: %s exited (%v): %s", ErrServerNotReady, filepath.Base(s.cmd.Path), s.waitErr, s.stderr.String())
		default:
		}
		if probeErr = probe(s.network, s.addr); probeErr == nil {
			return nil
		}
		time.Sleep(5 * time.Millisecond)
	}
	return fmt.Errorf("%w within %v at %s %s: %v; stderr: %s", ErrServerNotReady, timeout, s.network, s.addr, probeErr, s.stderr.String())
}

// probeVersion sends "version" and expects "VERSION ...".
func probeVersion(network, addr string) error {
	conn, err := net.DialTimeout(network, addr, 200*time.Millisecond)
	if err != nil {
		return err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(time.Second))
	if _, err := io.WriteString(conn, "version\r\n"); err != nil {
		return err
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return err
	}
	if !strings.HasPrefix(line, "VERSION ") {
		return fmt.Errorf("unexpected answer %q", line)
	}
	return nil
}

// freePort asks the kernel for a free loopback TCP port.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Network returns "tcp" or "unix".
func (s *MemcachedServer) Network() string { return s.network }

// Addr returns "127.0.0.1:port" or the unix socket's path.
func (s *MemcachedServer) Addr() string { return s.addr }

// Pid returns the server's process id.
func (s *MemcachedServer) Pid() int { return s.cmd.Process.Pid }

// Args returns the command-line flags the server was started with.
func (s *MemcachedServer) Args() []string { return append([]string(nil), s.args...) }

// Stop ends the server with SIGKILL to its process group (its contents are disposable, and
// memcached's graceful SIGTERM shutdown takes a second), waits for it, and removes its socket
// directory. It is idempotent and safe to call concurrently.
func (s *MemcachedServer) Stop() error {
	s.stopOnce.Do(func() {
		defer s.removeTempDir()
		select {
		case <-s.exited:
			return
		default:
		}
		if err := syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL); err != nil && err != syscall.ESRCH {
			s.stopErr = fmt.Errorf("stop memcached (pid %d): %w", s.cmd.Process.Pid, err)
		}
		<-s.exited
		var exitErr *exec.ExitError
		if s.waitErr != nil && !errors.As(s.waitErr, &exitErr) && s.stopErr == nil {
			s.stopErr = s.waitErr
		}
	})
	return s.stopErr
}

// Exited is closed when the server process has exited and been reaped.
func (s *MemcachedServer) Exited() <-chan struct{} { return s.exited }

func (s *MemcachedServer) removeTempDir() {
	if s.tempDir != "" {
		os.RemoveAll(s.tempDir)
	}
}

// tailBuffer keeps the last limit bytes written to it, for error messages.
type tailBuffer struct {
	mu    sync.Mutex
	limit int
	buf   []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.limit; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.TrimSpace(string(t.buf))
}
