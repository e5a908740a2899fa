package plibd

import (
	"context"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/plibcached/plibcached/plib/handoff"
	"github.com/plibcached/plibcached/plib/pidwatch"
)

// Handoff is the Service that hands the segment's descriptor (a sealed memfd, see
// plib.CreateMemfd) over a unix socket to the local processes Policy allows, so that they
// attach with plib.Dial; a refused process gets plib.ErrRefused and has no path to the
// segment. When a process it granted the segment exits, the daemon recovers its slots at
// once.
type Handoff struct {
	// Socket is the unix socket's path; Mode its permission bits (default 0666: the
	// Policy, not the file mode, decides who gets the segment).
	Socket string
	Mode   os.FileMode
	// Segment is the memfd to hand out.
	Segment *os.File
	// Policy lists the uids and gids allowed.
	Policy handoff.Policy
}

// Run serves the socket until ctx ends.
func (h *Handoff) Run(ctx context.Context, d *Daemon) error {
	mode := h.Mode
	if mode == 0 {
		mode = 0o666
	}
	srv, err := handoff.NewServer(handoff.Config{
		Segment: h.Segment,
		Policy:  h.Policy,
		OnExit:  func(p handoff.Peer) { d.recoverAfter(fmt.Sprintf("client %v exited", p)) },
		Logf:    d.logf,
	})
	if err != nil {
		return fmt.Errorf("plibd: handoff: %w", err)
	}
	l, err := handoff.Listen(h.Socket, mode)
	if err != nil {
		srv.Close()
		return fmt.Errorf("plibd: handoff: %w", err)
	}
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	if err := srv.Serve(l); err != handoff.ErrServerClosed {
		return fmt.Errorf("plibd: handoff: %w", err)
	}
	return nil
}

// SlotWatcher is the Service that watches every process holding one of the segment's client
// slots, however it attached (a file-backed segment's local clients open the file
// themselves), through a pidfd per process, and recovers the slots of one that exits at
// once, rather than when another client next meets one of its locks. It looks for new
// processes every Interval (default 100ms).
type SlotWatcher struct {
	Interval time.Duration
}

// Run watches until ctx ends.
func (w *SlotWatcher) Run(ctx context.Context, d *Daemon) error {
	interval := w.Interval
	if interval <= 0 {
		interval = 100 * time.Millisecond
	}
	var watch pidwatch.Watcher
	defer watch.Close()
	var mu sync.Mutex
	watched := map[int]bool{os.Getpid(): true}
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		for _, pid := range d.client.SlotPIDs() {
			mu.Lock()
			seen := watched[pid]
			watched[pid] = true
			mu.Unlock()
			if seen {
				continue
			}
			err := watch.WatchPID(pid, func() {
				mu.Lock()
				delete(watched, pid)
				mu.Unlock()
				d.recoverAfter(fmt.Sprintf("pid %d exited", pid))
			})
			if err != nil { // gone already: recover now
				mu.Lock()
				delete(watched, pid)
				mu.Unlock()
				d.recoverAfter(fmt.Sprintf("pid %d gone", pid))
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

// recoverAfter runs the segment's recovery and logs what it did.
func (d *Daemon) recoverAfter(why string) {
	start := time.Now()
	r, err := d.client.Recover()
	switch {
	case err != nil:
		d.logf("plibd: %s: recover: %v", why, err)
	case r.DeadSlots > 0:
		d.logf("plibd: %s: %d dead slot(s), %d repaired and freed, %d busy, in %v", why, r.DeadSlots, r.Freed, r.Busy, time.Since(start))
	}
}
