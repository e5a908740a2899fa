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
//	0  state  u32  slotFree or slotClaimed (atomic)
//	4  pid    u32
//	8  start  u64  the process's start time, in clock ticks since boot
const (
	slotEntrySize = 64
	slotFree      = 0
	slotClaimed   = 1
)

func (c *Client) slotEntry(slot kv.Slot) uint64 {
	return c.seg.layout.slotTableOff + uint64(slot)*slotEntrySize
}

func (c *Client) slotState(slot kv.Slot) *atomic.Uint32 {
	return (*atomic.Uint32)(unsafe.Pointer(&c.seg.mem[c.slotEntry(slot)]))
}

func (c *Client) slotWord64(slot kv.Slot, off uint64) *atomic.Uint64 {
	return (*atomic.Uint64)(unsafe.Pointer(&c.seg.mem[c.slotEntry(slot)+off]))
}

// claimSlot takes a free slot, or reclaims one whose process is dead and that holds no
// lock (a dead holder's locks are taken over by the next waiter, and only then is its slot
// free to reuse). It runs inside a trampoline: the table is in the protected segment.
func (c *Client) claimSlot() (kv.Slot, error) {
	self := selfIdentity()
	n := kv.Slot(c.seg.layout.maxSlots)
	for pass := 0; pass < 2; pass++ {
		for slot := kv.Slot(0); slot < n; slot++ {
			st := c.slotState(slot)
			switch {
			case pass == 0 && st.Load() == slotFree && st.CompareAndSwap(slotFree, slotClaimed):
			case pass == 1 && st.Load() == slotClaimed && !c.slotAlive(slot) && c.store.LocksHeldBy(slot) == 0 &&
				c.slotWord64(slot, 0).CompareAndSwap(c.slotWord64(slot, 0).Load(), uint64(self.pid)<<32|slotClaimed):
			default:
				continue
			}
			c.slotWord64(slot, 0).Store(uint64(self.pid)<<32 | slotClaimed)
			c.slotWord64(slot, 8).Store(self.start)
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

// slotAlive reports whether the process that claimed slot is still running. A slot
// claimed but not yet stamped (its claimer died between the two stores) is dead.
// Inside a trampoline.
func (c *Client) slotAlive(slot kv.Slot) bool {
	if uint64(slot) >= c.seg.layout.maxSlots {
		return true // kv's maintenance slot: Check runs briefly under it
	}
	w := c.slotWord64(slot, 0).Load()
	if uint32(w) != slotClaimed {
		return false
	}
	pid, start := uint32(w>>32), c.slotWord64(slot, 8).Load()
	return pid != 0 && start != 0 && processStart(int(pid)) == start
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
// /proc/PID/stat, or 0 if there is no such process.
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
	v, err := strconv.ParseUint(string(fields[19]), 10, 64)
	if err != nil {
		return 0
	}
	return v
}
