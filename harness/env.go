package harness

import (
	"bufio"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// Environment describes where a result was measured. Every Result carries one.
type Environment struct {
	Machine          string    `json:"machine,omitempty"` // free-form label given by the user
	Hostname         string    `json:"hostname"`
	CPUModel         string    `json:"cpu_model"`
	Cores            int       `json:"cores"` // logical CPUs usable by this process
	Kernel           string    `json:"kernel"`
	GoVersion        string    `json:"go_version"`
	GOMAXPROCS       int       `json:"gomaxprocs"`
	MemcachedVersion string    `json:"memcached_version,omitempty"` // "" when not installed
	RedisVersion     string    `json:"redis_version,omitempty"`     // redis-server --version; "" when not installed
	PKU              bool      `json:"pku"`                         // CPU has pku and the kernel enabled it (ospke)
	GitCommit        string    `json:"git_commit,omitempty"`        // "" outside a git checkout
	Timestamp        time.Time `json:"timestamp"`
}

// CaptureEnvironment gathers the environment. It never fails: what cannot be read is left empty.
func CaptureEnvironment(machine, memcachedBinary string) Environment {
	env := Environment{
		Machine:    machine,
		Cores:      runtime.NumCPU(),
		GoVersion:  runtime.Version(),
		GOMAXPROCS: runtime.GOMAXPROCS(0),
		Timestamp:  time.Now().UTC().Truncate(time.Second),
	}
	env.Hostname, _ = os.Hostname()
	env.CPUModel, env.PKU = cpuInfo()
	env.Kernel = kernelRelease()
	env.MemcachedVersion, _ = MemcachedVersion(memcachedBinary)
	env.RedisVersion, _ = RedisVersion()
	env.GitCommit = gitCommit()
	return env
}

// cpuInfo returns the first model name in /proc/cpuinfo and whether both the pku and ospke flags
// are present (the CPU has protection keys and the kernel turned them on).
func cpuInfo() (model string, pku bool) {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH, false
	}
	defer f.Close()
	var hasPKU, hasOSPKE, sawFlags bool
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		name, value = strings.TrimSpace(name), strings.TrimSpace(value)
		switch {
		case name == "model name" && model == "":
			model = value
		case name == "flags" && !sawFlags:
			sawFlags = true
			for _, flag := range strings.Fields(value) {
				hasPKU = hasPKU || flag == "pku"
				hasOSPKE = hasOSPKE || flag == "ospke"
			}
		}
	}
	return model, hasPKU && hasOSPKE
}

// kernelRelease returns "Linux 6.1.0-18-amd64 x86_64" from uname.
func kernelRelease() string {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return runtime.GOOS
	}
	return unix.ByteSliceToString(u.Sysname[:]) + " " + unix.ByteSliceToString(u.Release[:]) + " " + unix.ByteSliceToString(u.Machine[:])
}

// gitCommit returns HEAD's hash, with "-dirty" when the work tree has changes, or "".
func gitCommit() string {
	out, err := exec.Command("git", "rev-parse", "HEAD").Output()
	if err != nil {
		return ""
	}
	commit := strings.TrimSpace(string(out))
	if status, err := exec.Command("git", "status", "--porcelain", "--untracked-files=no").Output(); err == nil && len(strings.TrimSpace(string(status))) > 0 {
		commit += "-dirty"
	}
	return commit
}
