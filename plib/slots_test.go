package plib

import (
	"os"
	"os/exec"
	"testing"

	"github.com/plibcached/plibcached/kv"
)

// TestSlotOwnership fills the slot table by hand and checks which slots claimSlot may take:
// never one whose owner is alive, even mid-claim (start not yet stamped); always one whose
// owner has exited, or whose pid now belongs to another process (start time differs).
func TestSlotOwnership(t *testing.T) {
	c, _ := openTest(t, ModeNoPKU)                     // 8 slots
	exited := exec.Command(os.Args[0], "-test.run=^$") // this binary, which exits at once
	if err := exited.Run(); err != nil {
		t.Fatal(err)
	}
	self := selfIdentity()
	set := func(slot kv.Slot, pid int, start uint64) {
		c.slotWord64(slot, 0).Store(uint64(pid)<<32 | slotClaimed)
		c.slotWord64(slot, 8).Store(start)
	}
	for slot := kv.Slot(0); slot < 8; slot++ {
		set(slot, os.Getpid(), 0) // alive, mid-claim
	}
	set(3, exited.Process.Pid, 12345) // its process has exited
	set(6, os.Getpid(), self.start+1) // a reused pid: same pid, another start time
	got := map[kv.Slot]bool{}
	for range 2 {
		c.enter()
		slot, err := c.claimSlot()
		c.exit()
		if err != nil {
			t.Fatalf("claim: %v (taken so far %v)", err, got)
		}
		got[slot] = true
	}
	if !got[3] || !got[6] {
		t.Fatalf("reclaimed %v, want slots 3 and 6", got)
	}
	c.enter()
	_, err := c.claimSlot()
	c.exit()
	if err != ErrNoSlots {
		t.Fatalf("third claim: %v; every other slot belongs to a live process mid-claim", err)
	}
}
