package torture

import (
	"fmt"
	"time"
)

// The two extra modes' defaults. Kept apart from config.go's withDefaults and validate.
const (
	// stopLockTimeout is the workers' lock timeout in Stop mode: short, so that many stops
	// outlast it and the busy path runs often.
	stopLockTimeout = 200 * time.Millisecond
	// busyLocks and busyHangMargin make BusyHang's default: an operation may wait for a
	// few locks in turn, each up to LockTimeout (its stripe, class locks, the page lock,
	// a dead holder's repair, the page lock again to abort a busy call), plus a margin for
	// page faults and the like on a loaded machine.
	busyLocks      = 5
	busyHangMargin = 2 * time.Second
)

// withModeDefaults fills the Stop and KillRepairers fields left zero. autoClients says
// that MaxClients was left zero: KillRepairers then makes the slot table small, so that
// every replacement worker has to take back a dead worker's slot (RecoverSlot), which is
// what the reclaimers it kills are doing.
func (c Config) withModeDefaults(autoClients bool) Config {
	if c.KillRepairers && autoClients {
		c.MaxClients = 2*c.Workers + 4
	}
	if !c.Stop {
		return c
	}
	if c.LockTimeout == 0 {
		c.LockTimeout = stopLockTimeout
	}
	if c.MinStop == 0 {
		c.MinStop = time.Millisecond
	}
	if c.BusyHang == 0 {
		c.BusyHang = busyLocks*c.LockTimeout + busyHangMargin
	}
	if c.MaxStop == 0 {
		// Log-uniform from 1 ms: about 4 stops in 10 outlast a 200 ms LockTimeout, and 1
		// in 12 outlasts BusyHang, long enough for a call that waited without bound to be
		// caught.
		c.MaxStop = 2 * c.BusyHang
	}
	return c
}

func (c Config) validateModes() error {
	switch {
	case c.LockTimeout < 0:
		return fmt.Errorf("torture: negative lock timeout %v", c.LockTimeout)
	case c.KillRepairers && c.MaxClients < c.Workers+2:
		return fmt.Errorf("torture: %d client slots for %d workers: killing repairers needs at least workers+2", c.MaxClients, c.Workers)
	case !c.Stop:
		return nil
	case c.MinStop <= 0 || c.MinStop > c.MaxStop:
		return fmt.Errorf("torture: stop durations %v..%v", c.MinStop, c.MaxStop)
	case c.BusyHang <= c.LockTimeout:
		return fmt.Errorf("torture: busy hang %v must exceed the lock timeout %v", c.BusyHang, c.LockTimeout)
	}
	return nil
}
