package plib

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/plibcached/plibcached/kv"
	"github.com/plibcached/plibcached/plib/internal/pkey"
)

// Client is a process's handle on a shared store: its mapping of the segment, its
// protection key, and a pool of client slots. It is safe for concurrent use by many
// goroutines, like gomemcache's Client; each call borrows a Session (a slot) for its
// duration. Goroutines that make many calls do better with a Session of their own.
type Client struct {
	seg      *mapped
	store    *kv.Store
	pku      bool
	key      pkey.Key
	segStart uintptr
	segEnd   uintptr
	mode     Mode

	pool   sessionPool
	mu     sync.Mutex // guards owned and closing; the pool itself is lock-free
	owned  []*Session
	closed atomic.Bool

	// userClock is the caller's Options.Clock, nil when the store reads kv.CoarseClock;
	// enter reads it into now before each call, and the store reads now (sampledClock).
	userClock kv.Clock
	now       atomic.Int64

	// recovered and chunksFreed count the dead clients' slots this client repaired and the
	// chunks it freed for them (see Recovered).
	recovered, chunksFreed atomic.Int64
}

// Open creates or attaches the segment at path (a bare name lives under /dev/shm) and
// returns a Client on it. The first opener creates and formats the segment (mode
// Options.FileMode, default 0600) under a file lock; later openers attach and validate
// it; a segment whose processes have all exited keeps its data and is found again. Open
// never follows a symbolic link at path and attaches only a regular file of the caller's
// with no permission bits beyond Options.FileMode (see ErrSymlink, ErrNotRegular,
// ErrNotOwner, ErrPermissive). Other errors: ErrNotSegment, ErrVersion, ErrSizeMismatch,
// ErrCorrupt, ErrOptions, and ErrNoPKU in ModePKU where protection keys are missing.
func Open(path string, opts Options) (*Client, error) {
	return openClient(opts, func(init func(m *mapped) error) (*mapped, error) {
		return openFile(path, opts, init)
	})
}

// openClient makes a Client on the segment that open maps (creating it with init, or
// attaching it): Open's file, CreateMemfd's and OpenFile's memfd.
func openClient(opts Options, open func(init func(m *mapped) error) (*mapped, error)) (*Client, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	if opts.Protection == ModePKU {
		if err := pkey.Supported(); err != nil {
			return nil, err
		}
	}
	full := opts.withDefaults()
	c := &Client{mode: opts.Protection}
	clock := c.storeClock(opts.Clock)
	clock.Now() // start the coarse clock's goroutine outside any call
	kvOpts := kvOptions(full, clock, c)
	seg, err := open(func(m *mapped) error {
		l := m.layout
		region := m.mem[l.kvOff:]
		if _, err := kv.Format(region, kvConfig(full, int(l.maxSlots)), kvOpts); err != nil {
			return fmt.Errorf("%w: %w", ErrOptions, err)
		}
		clear(m.mem[:segHeaderSize])
		clear(m.mem[l.slotTableOff : l.slotTableOff+l.maxSlots*slotEntrySize])
		l.write(m.mem)
		(*atomic.Uint32)(unsafe.Pointer(&m.mem[sInitialised])).Store(1)
		return nil
	})
	if err != nil {
		return nil, err
	}
	c.seg = seg
	if c.store, err = kv.Open(seg.mem[seg.layout.kvOff:], kvOpts); err != nil {
		seg.close()
		return nil, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	c.segStart = uintptr(unsafe.Pointer(unsafe.SliceData(seg.mem)))
	c.segEnd = c.segStart + uintptr(len(seg.mem))
	if opts.Protection == ModePKU {
		if err := c.protect(); err != nil {
			seg.close()
			return nil, err
		}
	}
	c.pool.init(int(seg.layout.maxSlots))
	return c, nil
}

// protect allocates this process's key and tags the whole mapping with it. From here on
// every access to the segment goes through enter/exit.
func (c *Client) protect() error {
	k, err := pkey.Alloc()
	if err != nil {
		return err
	}
	if err := pkey.Protect(c.seg.mem, unix.PROT_READ|unix.PROT_WRITE, k); err != nil {
		pkey.Free(k)
		return err
	}
	c.key, c.pku = k, true
	return nil
}

// Mode reports the client's protection mode.
func (c *Client) Mode() Mode { return c.mode }

// Close releases the client's slots, unmaps the segment and frees its protection key. The
// data stays in the segment file for the next opener. Sessions of the client must not be
// used afterwards.
func (c *Client) Close() error {
	if !c.closed.CompareAndSwap(false, true) {
		return ErrClosed
	}
	c.mu.Lock()
	owned := c.owned
	c.owned = nil
	c.mu.Unlock()
	c.releaseSessions(owned)
	err := c.seg.close()
	if c.pku {
		err = errors.Join(err, pkey.Free(c.key))
	}
	return err
}

// Session claims a client slot for the caller's exclusive use: calls on it take no pool
// and allocate nothing. A Session is for one goroutine at a time; Close returns its slot.
func (c *Client) Session() (*Session, error) {
	if c.closed.Load() {
		return nil, ErrClosed
	}
	s, err := c.claimSession()
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.owned = append(c.owned, s)
	c.mu.Unlock()
	return s, nil
}

// claimSession claims a slot (repairing it if its last owner died) in one call.
func (c *Client) claimSession() (*Session, error) {
	c.enter()
	defer c.exit()
	slot, err := c.claimSlot()
	if err != nil {
		return nil, err
	}
	return c.newSession(slot), nil
}

// releaseSessions frees the slots of sessions in one call.
func (c *Client) releaseSessions(sessions []*Session) {
	c.raise()
	defer c.exit()
	for _, s := range sessions {
		c.releaseSlot(s.slot)
	}
}

func (c *Client) newSession(slot kv.Slot) *Session {
	scratch := c.scratch(slot)
	return &Session{c: c, slot: slot, key: scratch[:scratchKeyLen:scratchKeyLen], val: scratch[scratchKeyLen:]}
}

// borrow takes a pooled session, claiming a new slot when the pool is empty; if every
// slot is taken, it waits for one of this client's pooled sessions to come back (they all
// do, after one call; a Session the application holds may never come back).
func (c *Client) borrow() (*Session, error) {
	if s := c.pool.pop(); s != nil {
		return s, nil
	}
	s, err := c.Session()
	if err == nil {
		c.mu.Lock()
		s.pooled = true
		c.mu.Unlock()
		return s, nil
	}
	if !errors.Is(err, ErrNoSlots) {
		return nil, err
	}
	c.mu.Lock()
	have := 0
	for _, o := range c.owned {
		if o.pooled {
			have++
		}
	}
	c.mu.Unlock()
	if have == 0 {
		return nil, err
	}
	for {
		if s := c.pool.pop(); s != nil {
			return s, nil
		}
		if c.closed.Load() {
			return nil, ErrClosed
		}
		yield()
	}
}

func (c *Client) giveBack(s *Session) { c.pool.push(s) }

// Check runs the store's invariant check (kv.Store.Check) from one of this client's slots.
func (c *Client) Check() error {
	s, err := c.borrow()
	if err != nil {
		return err
	}
	done := false
	defer func() {
		if !done {
			c.salvage(s)
		}
	}()
	err = c.checkAs(s)
	done = true
	c.giveBack(s)
	return err
}

func (c *Client) checkAs(s *Session) error {
	c.enter()
	defer c.exit()
	return c.store.CheckAs(s.slot)
}

// Stats returns the store's statistics.
func (c *Client) Stats() kv.Stats {
	c.enter()
	defer c.exit()
	return c.store.Stats()
}
