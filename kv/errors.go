package kv

import (
	"errors"
	"fmt"
	"time"
)

// Errors returned by the store. Each is a sentinel, compared with errors.Is; some are
// wrapped with detail (for example ErrMalformedKey with the offending length).
var (
	// ErrNotFound: the key is not in the store (a miss, memcached's NOT_FOUND / END).
	ErrNotFound = errors.New("kv: not found")
	// ErrNotStored: add of an existing key, or replace/append/prepend of a missing one.
	ErrNotStored = errors.New("kv: not stored")
	// ErrExists: cas found the key with a different CAS id (memcached's EXISTS).
	ErrExists = errors.New("kv: cas id mismatch")
	// ErrMalformedKey: the key is empty or longer than 250 bytes (CheckKey: or has a space or
	// control byte).
	ErrMalformedKey = errors.New("kv: malformed key")
	// ErrValueTooLarge: the item (header, key and value) exceeds the store's maximum item size.
	// As in memcached, a set that fails this way also removes the key's old value.
	ErrValueTooLarge = errors.New("kv: object too large for cache")
	// ErrNonNumeric: incr/decr on a value that is not an unsigned 64-bit decimal number.
	ErrNonNumeric = errors.New("kv: cannot increment or decrement non-numeric value")
	// ErrInvalidCAS: a cas with CAS id 0, which no stored item ever has.
	ErrInvalidCAS = errors.New("kv: invalid cas id")
	// ErrBufferTooSmall: the destination buffer cannot hold the value; nothing was copied.
	ErrBufferTooSmall = errors.New("kv: destination buffer too small")
	// ErrOutOfMemory: no memory could be found for the item, even by evicting (for example,
	// every evictable item is locked by other clients at this instant).
	ErrOutOfMemory = errors.New("kv: out of memory storing object")
	// ErrBadMode: Store was given a Mode that is not one of the storage commands.
	ErrBadMode = errors.New("kv: unknown storage mode")
	// ErrBadSlot: the client slot id is outside the store's slot table.
	ErrBadSlot = errors.New("kv: client slot out of range")
	// ErrBusy: a lock the call needed stayed held by a live client for longer than
	// Options.LockTimeout (a stopped or stalled process). The call changed nothing. The
	// error is a *BusyError naming the holder.
	ErrBusy = errors.New("kv: lock held too long by a live client")

	// ErrNotRegion: the region does not start with the store's magic number.
	ErrNotRegion = errors.New("kv: not a plibcached region (bad magic)")
	// ErrVersion: the region was written by another layout version.
	ErrVersion = errors.New("kv: region layout version mismatch")
	// ErrTruncated: the region is shorter than its header says it is.
	ErrTruncated = errors.New("kv: region truncated")
	// ErrSizeMismatch: the region is longer than its header says it is.
	ErrSizeMismatch = errors.New("kv: region size mismatch")
	// ErrHeaderChecksum: the header's checksum does not match its contents.
	ErrHeaderChecksum = errors.New("kv: region header checksum mismatch")
	// ErrCorrupt: the region's contents break an invariant (a link out of bounds, a cycle).
	ErrCorrupt = errors.New("kv: region corrupt")
	// ErrConfig: Format was given an impossible configuration (region too small, bad sizes).
	ErrConfig = errors.New("kv: invalid configuration")
	// ErrAlignment: the region does not start on a 64-byte boundary.
	ErrAlignment = errors.New("kv: region not 64-byte aligned")
)

// BusyError is the error of a call that gave up waiting for a lock held by a live client
// (one stopped by SIGSTOP or a debugger, say) for Options.LockTimeout. The call changed
// nothing. errors.Is(err, ErrBusy) is true.
type BusyError struct {
	// Holder is the client slot that held the lock; Store.MaintenanceSlot() for Check or
	// an offline repair.
	Holder Slot
	// Lock names the lock: "stripe", "class", "pages", "expand" or "repair claim".
	Lock string
	// Waited is how long the caller waited.
	Waited time.Duration
	// Pid is the holder's process id where the caller knows it (package plib fills it in
	// from its slot table), else 0.
	Pid int
}

func (e *BusyError) Error() string {
	who := fmt.Sprintf("client slot %d", e.Holder)
	if e.Pid != 0 {
		who += fmt.Sprintf(" (pid %d)", e.Pid)
	}
	return fmt.Sprintf("kv: %s lock held by %s for more than %v", e.Lock, who, e.Waited.Round(time.Millisecond))
}

// Is makes errors.Is(err, ErrBusy) true.
func (e *BusyError) Is(target error) bool { return target == ErrBusy }
