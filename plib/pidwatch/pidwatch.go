//go:build linux

package pidwatch

import (
	"errors"
	"fmt"
	"os"
	"sync"

	"golang.org/x/sys/unix"
)

// ErrClosed: the Watcher was closed.
var ErrClosed = errors.New("pidwatch: watcher closed")

// Watcher watches processes until they exit or it is closed. Its methods are safe for
// concurrent use. The zero Watcher is ready to use.
type Watcher struct {
	mu     sync.Mutex
	files  map[*os.File]struct{} // the pidfds being watched
	closed bool
	wg     sync.WaitGroup
}

// WatchPID opens a pidfd for pid and watches it (see WatchPidfd). It fails with ESRCH if
// there is no such process, and with the error of pidfd_open otherwise.
func (w *Watcher) WatchPID(pid int, fn func()) error {
	if pid <= 0 {
		return fmt.Errorf("pidwatch: pid %d: %w", pid, unix.ESRCH)
	}
	fd, err := unix.PidfdOpen(pid, unix.PIDFD_NONBLOCK)
	if err != nil {
		return fmt.Errorf("pidwatch: pidfd_open %d: %w", pid, err)
	}
	return w.WatchPidfd(fd, fn)
}

// WatchPidfd takes pidfd (it closes it when done, and on error) and calls fn once, on a
// goroutine of its own, when the process exits; at once if it has exited already. fn is
// not called if the Watcher is closed first. Calls of fn may run concurrently.
func (w *Watcher) WatchPidfd(pidfd int, fn func()) error {
	if err := unix.SetNonblock(pidfd, true); err != nil {
		unix.Close(pidfd)
		return fmt.Errorf("pidwatch: %w", err)
	}
	f := os.NewFile(uintptr(pidfd), "pidfd")
	rc, err := f.SyscallConn()
	if err != nil {
		f.Close()
		return fmt.Errorf("pidwatch: %w", err)
	}
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		f.Close()
		return ErrClosed
	}
	if w.files == nil {
		w.files = map[*os.File]struct{}{}
	}
	w.files[f] = struct{}{}
	w.wg.Add(1)
	w.mu.Unlock()
	go w.wait(f, rc, fn)
	return nil
}

func (w *Watcher) wait(f *os.File, rc interface {
	Read(func(uintptr) bool) error
}, fn func()) {
	defer w.wg.Done()
	// Read waits in the poller until f is readable, then asks again: true ends it.
	err := rc.Read(func(fd uintptr) bool { return exited(int(fd)) })
	w.mu.Lock()
	_, mine := w.files[f]
	delete(w.files, f)
	closed := w.closed
	w.mu.Unlock()
	if mine {
		f.Close()
	}
	if err == nil && !closed {
		fn()
	}
}

// exited polls a pidfd without blocking: it is readable once its process has exited.
func exited(fd int) bool {
	p := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
	for {
		n, err := unix.Poll(p, 0)
		if err == unix.EINTR {
			continue
		}
		// An error other than EINTR cannot be waited out: end the wait rather than spin.
		return err != nil || n > 0 && p[0].Revents&(unix.POLLIN|unix.POLLHUP|unix.POLLERR|unix.POLLNVAL) != 0
	}
}

// Len is the number of processes being watched.
func (w *Watcher) Len() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.files)
}

// Close stops watching: it closes every pidfd, so no further fn runs, and waits for the
// watching goroutines to end, including any fn already running (so fn must not call
// Close). Later Watch calls fail with ErrClosed.
func (w *Watcher) Close() error {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return ErrClosed
	}
	w.closed = true
	files := w.files
	w.files = nil
	w.mu.Unlock()
	var errs []error
	for f := range files {
		errs = append(errs, f.Close())
	}
	w.wg.Wait()
	return errors.Join(errs...)
}
