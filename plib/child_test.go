package plib

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// Tests that need a process of their own re-execute this test binary with
// plibChildEnv=NAME and the segment path in plibPathEnv; TestMain runs the child named.
const (
	plibChildEnv = "PLIB_TEST_CHILD"
	plibPathEnv  = "PLIB_TEST_PATH"
	plibArgEnv   = "PLIB_TEST_ARG"
)

var children = map[string]func(path, arg string) int{}

func TestMain(m *testing.M) {
	if name := os.Getenv(plibChildEnv); name != "" {
		child, ok := children[name]
		if !ok {
			os.Stderr.WriteString("unknown child " + name + "\n")
			os.Exit(3)
		}
		os.Exit(child(os.Getenv(plibPathEnv), os.Getenv(plibArgEnv)))
	}
	os.Exit(m.Run())
}

// childResult is what a child process did.
type childResult struct {
	out  string
	err  error
	code int
}

// startChild runs child name on the segment at path.
func startChild(t *testing.T, name, path, arg string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), plibChildEnv+"="+name, plibPathEnv+"="+path, plibArgEnv+"="+arg)
	return cmd
}

func runChild(t *testing.T, name, path, arg string) childResult {
	t.Helper()
	cmd := startChild(t, name, path, arg)
	out, err := cmd.CombinedOutput()
	return childResult{out: string(out), err: err, code: cmd.ProcessState.ExitCode()}
}

// pkuFault reports whether a child died of a protection-key fault, as the Go runtime
// reports an unrecovered SIGSEGV with si_code SEGV_PKUERR (4).
func (r childResult) pkuFault() bool {
	return r.code != 0 && strings.Contains(r.out, "signal SIGSEGV: segmentation violation code=0x4")
}
