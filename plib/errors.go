package plib

import (
	"errors"
	"fmt"

	"github.com/plibcached/plibcached/kv"
	"github.com/plibcached/plibcached/plib/internal/pkey"
)

// Errors of the gomemcache-shaped API, by gomemcache's names where gomemcache has one.
// They are returned bare (never wrapped) by the calls, so the hot path allocates nothing.
var (
	// ErrCacheMiss: the key is not in the store (also a cas of a missing key).
	ErrCacheMiss = errors.New("plib: cache miss")
	// ErrCASConflict: a CompareAndSwap found the item changed since it was read.
	ErrCASConflict = errors.New("plib: compare-and-swap conflict")
	// ErrNotStored: an Add of an existing key, or a Replace/Append/Prepend of a missing one.
	ErrNotStored = errors.New("plib: item not stored")
	// ErrMalformedKey: a key that is empty, longer than 250 bytes, or holds a space or
	// control character.
	ErrMalformedKey = errors.New("plib: key is too long or contains invalid characters")
	// ErrValueTooLarge: the item does not fit the store's maximum item size. A Set that
	// fails this way removes the key's old value, as memcached does.
	ErrValueTooLarge = errors.New("plib: object too large for cache")
	// ErrNonNumeric: Increment or Decrement of a value that is not a decimal number.
	ErrNonNumeric = errors.New("plib: cannot increment or decrement non-numeric value")
	// ErrBufferTooSmall: GetInto's destination cannot hold the value; nothing was copied
	// and the returned Meta.Len says how much room it needs.
	ErrBufferTooSmall = errors.New("plib: destination buffer too small")
	// ErrOverlap: a caller's buffer lies (partly) inside the shared segment. The library
	// never reads or writes its own memory on a caller's behalf.
	ErrOverlap = errors.New("plib: buffer overlaps the shared segment")
	// ErrOutOfMemory: the store found no memory for the item, even by evicting.
	ErrOutOfMemory = errors.New("plib: out of memory storing object")
	// ErrNoSlots: every client slot of the segment is taken by live processes.
	ErrNoSlots = errors.New("plib: no free client slot in the segment")
	// ErrClosed: the Client or Session was closed.
	ErrClosed = errors.New("plib: client closed")
	// ErrStore: the store reported an error with no gomemcache counterpart; the
	// underlying kv error is wrapped.
	ErrStore = errors.New("plib: store error")

	// ErrNotSegment: the file is not a plibcached segment (bad magic).
	ErrNotSegment = errors.New("plib: not a plibcached segment")
	// ErrVersion: the segment was written with another layout version.
	ErrVersion = errors.New("plib: segment layout version mismatch")
	// ErrSizeMismatch: the segment's size differs from Options.Size or from its header.
	ErrSizeMismatch = errors.New("plib: segment size mismatch")
	// ErrNotOwner: the segment file belongs to another user.
	ErrNotOwner = errors.New("plib: segment file owned by another user")
	// ErrSymlink: the segment path names a symbolic link, which Open never follows (a
	// link planted there would choose the file the caller creates or reuses).
	ErrSymlink = errors.New("plib: segment path is a symbolic link")
	// ErrNotRegular: the segment path names something other than a regular file with one
	// link: a directory, fifo, socket or device, or a file with other hard links.
	ErrNotRegular = errors.New("plib: segment path is not a regular file")
	// ErrPermissive: the segment file's mode grants more than Options.FileMode (default
	// 0600: no group or other bits) or has set-id or sticky bits.
	ErrPermissive = errors.New("plib: segment file mode too permissive")
	// ErrCorrupt: the segment's header or store failed validation, at Open or during a
	// call that met a damaged word (the call changed nothing it could not undo).
	ErrCorrupt = errors.New("plib: segment corrupt")
	// ErrOptions: Options hold an impossible value.
	ErrOptions = errors.New("plib: invalid options")
)

// ErrBusy is returned, as a *kv.BusyError naming the holder's slot and pid, by a call that
// waited Options.LockTimeout for a lock a live process kept (a stopped process, say); the
// call changed nothing. It is the same value as kv's, so errors.Is works across both.
var ErrBusy = kv.ErrBusy

// ErrNoPKU is returned by Open in ModePKU where the CPU or kernel lacks protection keys;
// it is the same value as the pkey package's, so errors.Is works across both.
var ErrNoPKU = pkey.ErrNoPKU

// mapErr turns the store's sentinels into the API's. It never allocates for the
// sentinels a call can return.
func mapErr(err error) error {
	switch err {
	case nil:
		return nil
	case kv.ErrNotFound:
		return ErrCacheMiss
	case kv.ErrNotStored:
		return ErrNotStored
	case kv.ErrExists:
		return ErrCASConflict
	case kv.ErrMalformedKey:
		return ErrMalformedKey
	case kv.ErrValueTooLarge:
		return ErrValueTooLarge
	case kv.ErrNonNumeric:
		return ErrNonNumeric
	case kv.ErrBufferTooSmall:
		return ErrBufferTooSmall
	case kv.ErrOutOfMemory:
		return ErrOutOfMemory
	}
	switch {
	case errors.Is(err, kv.ErrBusy):
		return err // a *kv.BusyError, which errors.Is(err, ErrBusy) already matches
	case errors.Is(err, kv.ErrCorrupt):
		return fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	return errors.Join(ErrStore, err)
}
