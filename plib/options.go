package plib

import (
	"fmt"
	"os"
	"time"

	"github.com/plibcached/plibcached/kv"
	"github.com/plibcached/plibcached/plib/internal/pkey"
)

// Mode is how a process protects its mapping of the segment.
type Mode int

const (
	// ModePKU tags the mapping with an Intel protection key that every thread holds
	// access-disabled; a call raises the calling thread's rights for its duration only.
	// Open fails with ErrNoPKU where the CPU or kernel lacks PKU.
	ModePKU Mode = iota
	// ModeNoPKU runs the same code path with no key and no WRPKRU: the paper's
	// "Plib, No Hodor" baseline. The segment is readable by all the process's code.
	ModeNoPKU
)

func (m Mode) String() string {
	switch m {
	case ModePKU:
		return "pku"
	case ModeNoPKU:
		return "nopku"
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}

// Options configure Open. Size, MaxItemSize, ExpectedItems and MaxClients are fixed when
// the segment is created; a later opener may leave them zero (take the segment's) or must
// match them.
type Options struct {
	// Size is the segment's size in bytes. Default 256 MiB.
	Size int64
	// MaxItemSize is the largest item (56-byte header, key and value). Default 1 MiB.
	MaxItemSize int
	// ExpectedItems sizes the hash table so it need not grow below this many items.
	ExpectedItems int64
	// MaxClients is the number of client slots: calls in flight at once, over all
	// processes. Each slot has private scratch of MaxItemSize bytes. Default 64.
	MaxClients int
	// Protection is this process's protection mode. Default ModePKU.
	Protection Mode
	// FileMode is the permission bits Open gives a segment file it creates (exactly,
	// whatever the umask) and the most an existing segment file may have: Open refuses a
	// file with any other bit with ErrPermissive. It must include 0600 and nothing outside
	// 0777. Default 0600: the owner only. A wider mode (say 0660, for a group of processes
	// under several uids that share a gid) makes every process that can open the file an
	// authorised client. CreateMemfd's memfd is 0600 whatever this says.
	FileMode os.FileMode
	// Clock overrides the store's clock (tests). Default kv.CoarseClock. The store never
	// calls a caller's Clock itself: the Client reads it just before each call, outside
	// the call (rights denied, no lock held), and the store sees that reading. A Clock
	// that panics therefore panics out of the call that read it with nothing done.
	Clock kv.Clock
	// LockTimeout bounds every wait for a lock that a live process holds (one stopped
	// by SIGSTOP or a debugger, say): a call that would wait longer returns an error
	// satisfying errors.Is(err, ErrBusy), a *kv.BusyError naming the holder's slot and
	// pid, with nothing changed. Default kv.DefaultLockTimeout (3 s), like a memcached
	// client's timeout. A dead holder is not waited for: what it left is repaired.
	LockTimeout time.Duration
	// NoEvict is memcached's -M for this process: its writes fail with ErrOutOfMemory
	// rather than evict a live item (expired ones are still reclaimed).
	NoEvict bool
	// ClassShards splits each slab class of a new segment into this many shards by key
	// hash, each with its own lock, LRU and free list, so that writers of one item size do
	// not queue on one lock (kv.Config.ClassShards, 1 to 8). 0 lets the store choose: as
	// many as fit for a segment of 128 MiB or more, else 1 (memcached's one LRU per class).
	// An existing segment keeps what it was created with.
	ClassShards int
}

const (
	defaultSize       = 256 << 20
	defaultMaxItem    = 1 << 20
	defaultMaxClients = 64
	defaultFileMode   = 0o600
)

func (o Options) withDefaults() Options {
	if o.Size == 0 {
		o.Size = defaultSize
	}
	if o.MaxItemSize == 0 {
		o.MaxItemSize = defaultMaxItem
	}
	if o.MaxClients == 0 {
		o.MaxClients = defaultMaxClients
	}
	return o
}

// fileMode is FileMode or its default, 0600.
func (o Options) fileMode() os.FileMode {
	if o.FileMode == 0 {
		return defaultFileMode
	}
	return o.FileMode
}

func (o Options) validate() error {
	switch {
	case o.Size < 0 || o.MaxItemSize < 0 || o.ExpectedItems < 0 || o.MaxClients < 0 || o.LockTimeout < 0:
		return fmt.Errorf("%w: negative size", ErrOptions)
	case o.MaxClients > 4096:
		return fmt.Errorf("%w: MaxClients %d > 4096", ErrOptions, o.MaxClients)
	case o.FileMode&^0o777 != 0 || o.FileMode != 0 && o.FileMode&0o600 != 0o600:
		return fmt.Errorf("%w: FileMode %#o: want permission bits only (within 0777), including 0600", ErrOptions, uint32(o.FileMode))
	case o.Protection != ModePKU && o.Protection != ModeNoPKU:
		return fmt.Errorf("%w: protection mode %d", ErrOptions, o.Protection)
	}
	return nil
}

// PKUSupported reports whether ModePKU can work here: nil, or an error wrapping ErrNoPKU
// that names the reason (the CPU's PKU or OSPKE bit, or the kernel's pkey_alloc).
func PKUSupported() error { return pkey.Supported() }
