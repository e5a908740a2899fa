package evaluation

import (
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// pinProcess restricts every thread of this process to one CPU and returns a function that gives
// them back the CPUs they had. Threads created while pinned (and processes they start, such as a
// memcached server) inherit the pin; restore widens the threads that exist then, and a server
// started while pinned stays pinned until it exits.
//
// Why: in a virtual machine a client blocked on a socket lets its vCPU halt, and waking a halted
// vCPU costs the hypervisor tens of microseconds, on every round trip whose two ends run on
// different vCPUs. With client and server on one CPU, a round trip is two context switches, as
// on the busy bare-metal machine the paper measured.
func pinProcess(cpu int) (restore func(), err error) {
	var old, one unix.CPUSet
	if err := unix.SchedGetaffinity(0, &old); err != nil {
		return nil, err
	}
	one.Set(cpu)
	for range 2 { // a second pass catches threads started during the first
		if err := setAllThreads(&one); err != nil {
			setAllThreads(&old)
			return nil, err
		}
	}
	return func() { setAllThreads(&old) }, nil
}

// setAllThreads sets the affinity of every thread listed in /proc/self/task.
func setAllThreads(set *unix.CPUSet) error {
	entries, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return err
	}
	for _, e := range entries {
		tid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if err := unix.SchedSetaffinity(tid, set); err != nil && err != unix.ESRCH {
			return fmt.Errorf("pin thread %d: %w", tid, err)
		}
	}
	return nil
}
