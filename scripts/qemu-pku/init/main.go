// Command init is PID 1 of the QEMU guest that run.sh boots: it mounts the pseudo-filesystems
// the tests need, runs /test.bin (a go test binary) with the arguments given after "--" on the kernel command line,
// prints "PKU-TEST-EXIT <status>" for run.sh to pick up, and powers the guest off.
package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"
)

func main() {
	for _, m := range []struct{ fs, dir string }{{"proc", "/proc"}, {"sysfs", "/sys"}, {"devtmpfs", "/dev"}, {"tmpfs", "/tmp"}} {
		if err := syscall.Mount(m.fs, m.dir, m.fs, 0, ""); err != nil {
			fmt.Println("init: mount", m.dir, err)
		}
	}
	cmd := exec.Command("/test.bin", append([]string{"-test.v", "-test.count=1"}, os.Args[1:]...)...)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	cmd.Env = []string{"TMPDIR=/tmp", "HOME=/tmp"}
	status := 0
	if err := cmd.Run(); err != nil {
		status = 1
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			status = exit.ExitCode()
		}
		fmt.Println("init:", err)
	}
	fmt.Printf("PKU-TEST-EXIT %d\n", status)
	syscall.Sync()
	syscall.Reboot(syscall.LINUX_REBOOT_CMD_POWER_OFF)
}
