package plib

import (
	"bytes"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/plibcached/plibcached/kv"
)

// The client slot table: one entry per slot, in the segment, so every process sees who
// holds which slot. A slot is claimed by one process and used by one call at a time; the
// kv locks a call takes record its slot. An entry names its process by pid and start time
// (field 22 of /proc/PID/stat), so a reused pid is not mistaken for the owner.
//
//	0  owner  u64  pid<<32 | slotClaimed, or 0 when free; claimed by one CAS (atomic)
//	8  start  u64  the owner's start time in clock ticks since boot, 0 until stamped
const (
	slotEntrySize = 64
	slotFree      = 0
	slotClaimed   = 1
)

func (c *Client) slotEntry(slot kv.Slot) uint64 {
	return c.seg.layout.slotTableOff + uint64(slot)*slotEntrySize
}

func (c *Client) slotWord64(slot kv.Slot, off uint64) *atomic.Uint64 {
	return (*atomic.Uint64)(unsafe.Pointer(&c.seg.mem[c.slotEntry(slot)+off]))
}

// claimSlot takes a free slot, or takes back one whose process is dead and repairs what
// that process left (kv.Store.RecoverSlot) before using it. A free slot that lock words
// still name (only a damaged segment has one) is repaired the same way, or its new owner
// would wait on itself forever. It runs inside a trampoline: the table is in the protected
// segment.
func (c *Client) claimSlot() (kv.Slot, error) {
	self := selfIdentity()
	mine := uint64(self.pid)<<32 | slotClaimed
	n := kv.Slot(c.seg.layout.maxSlots)
	for pass := 0; pass < 2; pass++ {
		for slot := kv.Slot(0); slot < n; slot++ {
			owner := c.slotWord64(slot, 0)
			w := owner.Load()
			switch {
			case pass == 0 && w == slotFree:
			case pass == 1 && w != slotFree && !c.ownerAlive(slot, w):
			default:
				continue
			}
			// The CAS is against the very word judged free or dead: a slot another process
			// claimed meanwhile is left alone.
			if !owner.CompareAndSwap(w, mine) {
				continue
			}
			prevStart := c.slotWord64(slot, 8).Swap(self.start)
			if w != slotFree || c.store.LocksHeldBy(slot) != 0 {
				if err := c.recoverSlot(slot); err != nil {
					// Give the slot back as it was (a dead owner's stays dead), so that a
					// later claimer repairs it again: a busy lock (a stopped process) or
					// damage must not cost the segment a slot for this process's life.
					c.slotWord64(slot, 8).Store(prevStart)
					owner.Store(w)
					return 0, err
				}
			}
			return slot, nil
		}
	}
	return 0, ErrNoSlots
}

// releaseSlot frees a slot this process claimed. Inside a trampoline.
func (c *Client) releaseSlot(slot kv.Slot) {
	c.slotWord64(slot, 8).Store(0)
	c.slotWord64(slot, 0).Store(slotFree)
}

// slotAlive reports whether the process that claimed slot is still running (kv's
// HolderAlive). Inside a trampoline.
func (c *Client) slotAlive(slot kv.Slot) bool {
	if uint64(slot) >= c.seg.layout.maxSlots {
		// kv's maintenance slot, or past the table: no plib process holds a lock as such
		// (Client.Check runs under a client slot), so the word is garbage left in a
		// damaged segment, and waiting for its holder would wait forever.
		return false
	}
	return c.ownerAlive(slot, c.slotWord64(slot, 0).Load())
}

// slotPid returns the pid of the process that claimed slot, 0 if none (kv's HolderPid, for
// a BusyError). Inside a trampoline.
func (c *Client) slotPid(slot kv.Slot) int {
	if uint64(slot) >= c.seg.layout.maxSlots {
		return 0
	}
	w := c.slotWord64(slot, 0).Load()
	if uint32(w) != slotClaimed {
		return 0
	}
	return int(w >> 32)
}

// ownerAlive reports whether owner word w of slot names a running process. A slot claimed
// but not yet stamped (start 0) counts as alive while its pid runs: its claimer is between
// its two stores, or died there and its pid is gone.
func (c *Client) ownerAlive(slot kv.Slot, w uint64) bool {
	pid := uint32(w >> 32)
	if uint32(w) != slotClaimed || pid == 0 {
		return false
	}
	running := processStart(int(pid))
	start := c.slotWord64(slot, 8).Load()
	return running != 0 && (start == 0 || start == running)
}

type identity struct {
	pid   uint32
	start uint64
}

var (
	selfOnce sync.Once
	selfID   identity
)

func selfIdentity() identity {
	selfOnce.Do(func() {
		selfID = identity{pid: uint32(os.Getpid()), start: processStart(os.Getpid())}
	})
	return selfID
}

// processStart returns a process's start time (clock ticks since boot) from
// /proc/PID/stat, or 0 if there is no such process or it has died: a zombie (state Z or
// X) whose threads are all gone counts as dead, since it can run no further instruction
// even before its parent reaps it.
func processStart(pid int) uint64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	// The command name (field 2) may hold spaces and parentheses: fields resume after the
	// last ')'. starttime is field 22, the 20th after it.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0
	}
	fields := bytes.Fields(b[i+1:])
	if len(fields) < 20 {
		return 0
	}
	if st := fields[0]; len(st) == 1 && (st[0] == 'Z' || st[0] == 'X') && threadsGone(pid) {
		return 0
	}
	v, err := strconv.ParseUint(string(fields[19]), 10, 64)
	if err != nil {
		return 0
	}
	return v
}

// threadsGone reports whether a zombie's threads other than its leader have all been
// released: a SIGKILLed process's leader can turn zombie a moment before its last thread
// stops running.
func threadsGone(pid int) bool {
	entries, err := os.ReadDir("/proc/" + strconv.Itoa(pid) + "/task")
	return err != nil || len(entries) <= 1
}
