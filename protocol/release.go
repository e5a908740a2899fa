package protocol

import (
	"runtime/debug"
	"time"
)

// Memory back to the system when connections go: a connection's struct and buffers are
// garbage once it closes, but the runtime collects and returns that memory on its own
// schedule (a forced collection every two minutes, then a slow scavenge). Once many
// connections have closed, the server asks for it back a second later (when a wave of
// closes is over), at most every releaseEvery, off the event loops.
const (
	releaseAfterCloses = 1024
	releaseDelay       = time.Second
	releaseEvery       = 10 * time.Second
)

// noteClosed counts a closed connection and, when enough have gone, schedules the return
// of their memory to the system (s.mu held).
func (s *Server) noteClosed() {
	s.closedSinceRelease++
	if s.closedSinceRelease < releaseAfterCloses || s.releasePending {
		return
	}
	s.releasePending = true
	delay := max(releaseDelay, releaseEvery-time.Since(s.lastRelease))
	time.AfterFunc(delay, func() {
		debug.FreeOSMemory()
		s.mu.Lock()
		s.closedSinceRelease, s.releasePending, s.lastRelease = 0, false, time.Now()
		s.mu.Unlock()
	})
}
