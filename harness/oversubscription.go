package harness

import (
	"fmt"
	"runtime"
)

// OversubscriptionWarning returns a warning when threads exceed twice the CPUs this process may
// use, or "" otherwise. Past that point a thread sweep measures contention and scheduling, not
// scaling; the paper's sweeps went to 40 threads on a 40-core machine.
func OversubscriptionWarning(threads int) string {
	cpus := runtime.NumCPU()
	if threads <= 2*cpus {
		return ""
	}
	return fmt.Sprintf("warning: %d threads on %d cores: this point measures contention and scheduling, not scaling", threads, cpus)
}
