//go:build linux

package handoff

import (
	"fmt"
	"net"
	"unsafe"

	"golang.org/x/sys/unix"
)

// peerOf reads what the kernel recorded of the process at the other end of c when it
// connected: SO_PEERCRED, and SO_PEERGROUPS where the kernel has it (4.13).
func peerOf(c *net.UnixConn) (Peer, error) {
	var p Peer
	rc, err := c.SyscallConn()
	if err != nil {
		return p, err
	}
	var opErr error
	err = rc.Control(func(fd uintptr) {
		var cred *unix.Ucred
		if cred, opErr = unix.GetsockoptUcred(int(fd), unix.SOL_SOCKET, unix.SO_PEERCRED); opErr != nil {
			opErr = fmt.Errorf("SO_PEERCRED: %w", opErr)
			return
		}
		p = Peer{PID: int(cred.Pid), UID: cred.Uid, GID: cred.Gid}
		p.Groups, _ = peerGroups(int(fd))
	})
	if err == nil {
		err = opErr
	}
	return p, err
}

// peerGroups is getsockopt(SO_PEERGROUPS), which x/sys/unix does not wrap: the kernel
// fills an array of gid_t, or says ERANGE with the size it needs.
func peerGroups(fd int) ([]uint32, error) {
	buf := make([]uint32, 32)
	for {
		n := uint32(len(buf) * 4)
		_, _, e := unix.Syscall6(unix.SYS_GETSOCKOPT, uintptr(fd), unix.SOL_SOCKET, unix.SO_PEERGROUPS,
			uintptr(unsafe.Pointer(&buf[0])), uintptr(unsafe.Pointer(&n)), 0)
		switch {
		case e == unix.ERANGE && int(n/4) > len(buf) && n <= 65536*4:
			buf = make([]uint32, n/4)
			continue
		case e != 0:
			return nil, e
		}
		return buf[:n/4], nil
	}
}

// peerPidfd returns a pidfd for the process at the other end of c. SO_PEERPIDFD (Linux
// 6.5) names the very process that connected; before it, pidfd_open of SO_PEERCRED's pid
// could name another process if the peer exited and its pid was reused meanwhile.
func peerPidfd(c *net.UnixConn, pid int) (int, error) {
	rc, err := c.SyscallConn()
	if err != nil {
		return -1, err
	}
	pidfd, opErr := -1, error(nil)
	err = rc.Control(func(fd uintptr) {
		pidfd, opErr = unix.GetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_PEERPIDFD)
	})
	if err != nil {
		return -1, err
	}
	if opErr == unix.ENOPROTOOPT || opErr == unix.EINVAL {
		if pid <= 0 {
			return -1, fmt.Errorf("peer pid %d not visible in this pid namespace", pid)
		}
		pidfd, opErr = unix.PidfdOpen(pid, 0)
	}
	if opErr != nil {
		return -1, fmt.Errorf("pidfd of peer: %w", opErr)
	}
	return pidfd, nil
}
