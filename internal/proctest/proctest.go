// Package proctest holds helpers for tests that run, stop and watch real processes.
package proctest

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// WaitState waits, up to 20 s, until process pid is in the given state of /proc/PID/stat
// ("T": stopped), and fails the test if it never is.
func WaitState(t testing.TB, pid int, state string) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		if State(pid) == state {
			return
		}
	}
	t.Fatalf("process %d never reached state %s", pid, state)
}

// State returns process pid's state letter from /proc/PID/stat, or "" if it cannot be
// read. The command name may hold spaces and parentheses: the fields resume after the last
// ')'.
func State(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return ""
	}
	if f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+1:])); len(f) > 0 {
		return f[0]
	}
	return ""
}
