package protocol

import (
	"context"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/plibcached/plibcached/plib"
)

// gatedSession blocks in Store until its gate opens, so a command can be caught in flight.
type gatedSession struct {
	Session
	entered chan struct{}
	gate    chan struct{}
}

func (g gatedSession) Store(mode plib.StoreMode, key, value []byte, flags uint32, exptime int32, cas uint64) (uint64, error) {
	g.entered <- struct{}{}
	<-g.gate
	return g.Session.Store(mode, key, value, flags, exptime, cas)
}

type gatedBackend struct {
	*PlibBackend
	entered, gate chan struct{}
}

func (b gatedBackend) Acquire() (Session, error) {
	s, err := b.PlibBackend.Acquire()
	if err != nil {
		return nil, err
	}
	return gatedSession{s, b.entered, b.gate}, nil
}

// TryAcquire is Acquire: an event loop's session is gated too.
func (b gatedBackend) TryAcquire() (Session, error) { return b.Acquire() }

func (b gatedBackend) Release(s Session) { b.PlibBackend.Release(s.(gatedSession).Session) }

func openSegment(t *testing.T) *plib.Client {
	t.Helper()
	c, err := plib.Open(filepath.Join(t.TempDir(), "seg"), plib.Options{Size: 64 << 20, MaxClients: 8, Protection: plib.ModeNoPKU})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// TestShutdown checks that Shutdown waits for a command in flight, which completes and is
// answered, and closes idle connections at once.
func TestShutdown(t *testing.T) {
	pb := NewPlibBackend(openSegment(t), 2, nil)
	defer pb.Close()
	be := gatedBackend{pb, make(chan struct{}), make(chan struct{})}
	srv := NewServer(be, Config{})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	idle, busy := tcp(t, l.Addr().String()), tcp(t, l.Addr().String())
	idle.Write([]byte("version\r\n"))
	expect(t, idle, "VERSION 1.6.18\r\n")
	busy.Write([]byte("set k 0 0 1\r\nx\r\nget k\r\n"))
	<-be.entered // the set is in the store
	shut := make(chan error, 1)
	go func() { shut <- srv.Shutdown(context.Background()) }()
	expectClosed(t, idle)
	select {
	case err := <-shut:
		t.Fatalf("Shutdown returned with a command in flight: %v", err)
	case <-time.After(100 * time.Millisecond):
	}
	close(be.gate)
	expect(t, busy, "STORED\r\n") // answered; the get after it is not run
	expectClosed(t, busy)
	if err := <-shut; err != nil {
		t.Fatal(err)
	}
	if err := <-served; !errors.Is(err, ErrServerClosed) {
		t.Fatalf("Serve: %v", err)
	}
	if _, err := net.Dial("tcp", l.Addr().String()); err == nil {
		t.Fatal("still accepting")
	}
}

func TestMaxConns(t *testing.T) {
	be := NewPlibBackend(openSegment(t), 2, nil)
	defer be.Close()
	srv := NewServer(be, Config{MaxConns: 1})
	defer srv.Close()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	first := tcp(t, l.Addr().String())
	first.Write([]byte("version\r\n"))
	expect(t, first, "VERSION 1.6.18\r\n")
	second := tcp(t, l.Addr().String())
	expect(t, second, "ERROR Too many open connections\r\n")
	expectClosed(t, second)
}

// TestConcurrency runs many connections over two sessions: commands wait their turn for
// a session, never across network I/O, and increments are not lost.
func TestConcurrency(t *testing.T) {
	be := NewPlibBackend(openSegment(t), 2, nil)
	defer be.Close()
	srv := NewServer(be, Config{})
	defer srv.Close()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	setup := tcp(t, l.Addr().String())
	setup.Write([]byte("set n 0 0 1\r\n0\r\n"))
	expect(t, setup, "STORED\r\n")
	const conns, ops = 16, 200
	var wg sync.WaitGroup
	errs := make(chan error, conns)
	for i := 0; i < conns; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := net.Dial("tcp", l.Addr().String())
			if err != nil {
				errs <- err
				return
			}
			defer c.Close()
			buf := make([]byte, 256)
			for j := 0; j < ops; j++ {
				key := fmt.Sprintf("c%d-%d", i, j)
				fmt.Fprintf(c, "set %s 0 0 1 noreply\r\nx\r\nincr n 1 noreply\r\nget %s\r\n", key, key)
				want := fmt.Sprintf("VALUE %s 0 1\r\nx\r\nEND\r\n", key)
				c.SetReadDeadline(time.Now().Add(10 * time.Second))
				if _, err := readFull(c, buf[:len(want)]); err != nil || string(buf[:len(want)]) != want {
					errs <- fmt.Errorf("conn %d op %d: %q %v", i, j, buf[:len(want)], err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	setup.Write([]byte("get n\r\n"))
	want := fmt.Sprint(conns * ops)
	expect(t, setup, fmt.Sprintf("VALUE n 0 %d\r\n%s\r\nEND\r\n", len(want), want))
}

func readFull(c net.Conn, b []byte) (int, error) {
	n := 0
	for n < len(b) {
		k, err := c.Read(b[n:])
		n += k
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// TestFewSlots serves more connections than the segment has client slots, with a pool
// that would take more: the pool stops at the slots there are and shares them.
func TestFewSlots(t *testing.T) {
	client, err := plib.Open(filepath.Join(t.TempDir(), "seg"), plib.Options{Size: 64 << 20, MaxClients: 2, Protection: plib.ModeNoPKU})
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	be := NewPlibBackend(client, 16, nil)
	defer be.Close()
	srv := NewServer(be, Config{})
	defer srv.Close()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := net.Dial("tcp", l.Addr().String())
			if err != nil {
				t.Error(err)
				return
			}
			defer c.Close()
			for j := 0; j < 100; j++ {
				fmt.Fprintf(c, "set k%d 0 0 1\r\nx\r\n", i)
				buf := make([]byte, 8)
				c.SetReadDeadline(time.Now().Add(10 * time.Second))
				if _, err := readFull(c, buf); err != nil || string(buf) != "STORED\r\n" {
					t.Errorf("conn %d: %q %v", i, buf, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if made := be.made.Load(); made > 2 {
		t.Fatalf("%d sessions on a segment of 2 slots", made)
	}
}
