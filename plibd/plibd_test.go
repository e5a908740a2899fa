package plibd

import (
	"bufio"
	"context"
	"errors"
	"net"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/plibcached/plibcached/plib"
)

// recorder is a Service that notes it ran and was stopped.
type recorder struct{ ran, stopped atomic.Bool }

func (r *recorder) Run(ctx context.Context, d *Daemon) error {
	if d.Client() == nil || d.Server() == nil {
		return errors.New("daemon without client or server")
	}
	r.ran.Store(true)
	<-ctx.Done()
	r.stopped.Store(true)
	return nil
}

func testConfig(t *testing.T, dir string) Config {
	return Config{
		Segment: filepath.Join(dir, "seg"),
		Options: plib.Options{Size: 64 << 20, MaxClients: 8, Protection: plib.ModeNoPKU},
		Listen:  "127.0.0.1:0",
		Unix:    filepath.Join(dir, "plibd.sock"),
		Logf:    t.Logf,
	}
}

// start runs the daemon until the returned cancel is called; wait returns Run's error.
func start(t *testing.T, cfg Config) (d *Daemon, cancel func(), wait func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan *Daemon, 1)
	cfg.Ready = func(d *Daemon) { ready <- d }
	done := make(chan error, 1)
	go func() { done <- Run(ctx, cfg) }()
	select {
	case d = <-ready:
	case err := <-done:
		cancel()
		t.Fatalf("Run: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("daemon not ready")
	}
	return d, cancel, func() error { return <-done }
}

func command(t *testing.T, network, addr, req string) string {
	t.Helper()
	c, err := net.Dial(network, addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	c.Write([]byte(req + "mn\r\n"))
	var b strings.Builder
	r := bufio.NewReader(c)
	for !strings.HasSuffix(b.String(), "MN\r\n") {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("%q: %v", b.String(), err)
		}
		b.WriteString(line)
	}
	return strings.TrimSuffix(b.String(), "MN\r\n")
}

// TestRun serves TCP and unix clients, stops on cancel with its services, and leaves
// the data in the segment for the next run.
func TestRun(t *testing.T) {
	dir := t.TempDir()
	cfg := testConfig(t, dir)
	svc := &recorder{}
	cfg.Services = []Service{svc}
	d, cancel, wait := start(t, cfg)
	if len(d.Addrs()) != 2 {
		t.Fatalf("addrs %v", d.Addrs())
	}
	if got := command(t, "tcp", d.Addrs()[0].String(), "set k 5 0 3\r\nabc\r\n"); got != "STORED\r\n" {
		t.Fatalf("set over TCP: %q", got)
	}
	if got := command(t, "unix", cfg.Unix, "get k\r\n"); got != "VALUE k 5 3\r\nabc\r\nEND\r\n" {
		t.Fatalf("get over unix: %q", got)
	}
	if !svc.ran.Load() {
		t.Fatal("service did not run")
	}
	cancel()
	if err := wait(); err != nil {
		t.Fatalf("Run after cancel: %v", err)
	}
	if !svc.stopped.Load() {
		t.Fatal("service not stopped")
	}
	if _, err := net.Dial("unix", cfg.Unix); err == nil {
		t.Fatal("unix socket still served")
	}
	d, cancel, wait = start(t, cfg) // the same segment again
	defer func() { cancel(); wait() }()
	if got := command(t, "unix", cfg.Unix, "get k\r\n"); got != "VALUE k 5 3\r\nabc\r\nEND\r\n" {
		t.Fatalf("get after restart: %q", got)
	}
}

func TestRunErrors(t *testing.T) {
	dir := t.TempDir()
	cfg := testConfig(t, dir)
	cfg.Listen, cfg.Unix = "", ""
	if err := Run(context.Background(), cfg); err == nil {
		t.Fatal("no listener accepted")
	}
	cfg = testConfig(t, dir)
	cfg.Listen = "256.0.0.1:1"
	if err := Run(context.Background(), cfg); err == nil {
		t.Fatal("bad address accepted")
	}
	cfg = testConfig(t, dir)
	_, cancel, wait := start(t, cfg)
	defer func() { cancel(); wait() }()
	second := testConfig(t, dir)
	second.Segment = filepath.Join(dir, "seg2")
	if err := Run(context.Background(), second); err == nil || !strings.Contains(err.Error(), "in use") {
		t.Fatalf("a unix socket in use was taken over: %v", err)
	}
}

// failing is a Service that fails at once.
type failing struct{}

func (failing) Run(context.Context, *Daemon) error { return errors.New("service failed") }

func TestServiceFailureStops(t *testing.T) {
	cfg := testConfig(t, t.TempDir())
	cfg.Services = []Service{failing{}}
	done := make(chan error, 1)
	go func() { done <- Run(context.Background(), cfg) }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "service failed") {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a failed service did not stop the daemon")
	}
}

// TestShutdownCommandStopsDaemon: with ShutdownCommand (memcached's -A), "shutdown" stops
// Run gracefully, as SIGTERM does.
func TestShutdownCommandStopsDaemon(t *testing.T) {
	cfg := testConfig(t, t.TempDir())
	cfg.ShutdownCommand = true
	d, cancel, wait := start(t, cfg)
	defer cancel()
	c, err := net.Dial("tcp", d.Addrs()[0].String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte("shutdown graceful\r\n"))
	done := make(chan error, 1)
	go func() { done <- wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("shutdown did not stop the daemon")
	}
}
