//go:build linux

package plib

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// A segment in an anonymous memfd has no name in any filesystem: a process reaches it
// only by being handed its descriptor (plib/handoff does that for plibd). Its size is
// sealed, so no holder can truncate it under the others (whose next access would be a
// SIGBUS), and the seals are sealed, so none can add F_SEAL_FUTURE_WRITE and stop later
// clients from mapping it writable.

// MemfdSeals are the seals CreateMemfd sets and OpenFile requires: the size can neither
// shrink nor grow, and no seal can be added or removed.
const MemfdSeals = unix.F_SEAL_SHRINK | unix.F_SEAL_GROW | unix.F_SEAL_SEAL

// ErrNotSealed: OpenFile was given a descriptor that is not a memfd sealed with
// MemfdSeals, or one sealed against writing.
var ErrNotSealed = errors.New("plib: segment descriptor is not a memfd sealed against resizing")

// CreateMemfd creates a segment in a new anonymous memfd (memfd_create with MFD_CLOEXEC
// and sealing allowed; the name shows only in /proc as "/memfd:NAME"), formats it exactly
// as Open formats a new file, seals it with MemfdSeals and returns a Client on it and the
// descriptor to hand to other processes (OpenFile, plib/handoff). The caller owns the
// file and may close it at any time: the Client keeps only its mapping. The segment lives
// while any process maps it or holds a descriptor of it, and no longer.
func CreateMemfd(name string, opts Options) (*Client, *os.File, error) {
	var fd *os.File
	c, err := openClient(opts, func(init func(m *mapped) error) (*mapped, error) {
		m, err := createMemfd(name, opts, init)
		if err != nil {
			return nil, err
		}
		fd, m.file = m.file, nil
		return m, nil
	})
	if err != nil {
		if fd != nil {
			fd.Close() // the segment was made, but the Client on it failed
		}
		return nil, nil, err
	}
	return c, fd, nil
}

func createMemfd(name string, o Options, init func(m *mapped) error) (*mapped, error) {
	// MFD_NOEXEC_SEAL (Linux 6.3) keeps the kernel from warning about, or where
	// vm.memfd_noexec is 2 refusing, an executable memfd; older kernels reject the flag.
	fd, err := unix.MemfdCreate(name, unix.MFD_CLOEXEC|unix.MFD_ALLOW_SEALING|unix.MFD_NOEXEC_SEAL)
	if err == unix.EINVAL {
		fd, err = unix.MemfdCreate(name, unix.MFD_CLOEXEC|unix.MFD_ALLOW_SEALING)
	}
	if err != nil {
		return nil, fmt.Errorf("plib: memfd_create %q: %w", name, err)
	}
	m := &mapped{file: os.NewFile(uintptr(fd), "memfd:"+name)}
	if err := unix.Fchmod(fd, 0o600); err != nil { // defence in depth: see /proc/PID/fd
		m.close()
		return nil, fmt.Errorf("plib: fchmod memfd: %w", err)
	}
	if err := m.open(o, init); err != nil {
		m.close()
		return nil, err
	}
	if _, err := unix.FcntlInt(uintptr(fd), unix.F_ADD_SEALS, MemfdSeals); err != nil {
		m.close()
		return nil, fmt.Errorf("plib: seal memfd: %w", err)
	}
	return m, nil
}

// OpenFile attaches the segment in f, a memfd made by CreateMemfd and received from
// elsewhere (plib.Dial, or any descriptor passing), and returns a Client on it. It checks
// the seals (ErrNotSealed) and then the header as Open does (ErrNotSegment, ErrVersion,
// ErrSizeMismatch, ErrCorrupt); it never creates or formats a segment, and does not ask
// who owns the memfd: holding the descriptor is the authorisation. f stays the caller's
// (the Client keeps only its mapping, no descriptor), so the caller may close it at once.
func OpenFile(f *os.File, opts Options) (*Client, error) {
	return openClient(opts, func(func(m *mapped) error) (*mapped, error) {
		return attachMemfd(f, opts)
	})
}

func attachMemfd(f *os.File, o Options) (*mapped, error) {
	if f == nil {
		return nil, fmt.Errorf("%w: nil file", ErrNotSealed)
	}
	sc, err := f.SyscallConn()
	if err != nil {
		return nil, err
	}
	m := &mapped{}
	var opErr error
	err = sc.Control(func(fd uintptr) { opErr = m.attachFD(int(fd), f.Name(), o) })
	if err == nil {
		err = opErr
	}
	if err != nil {
		m.close()
		return nil, err
	}
	return m, nil
}

func (m *mapped) attachFD(fd int, name string, o Options) error {
	seals, err := unix.FcntlInt(uintptr(fd), unix.F_GET_SEALS, 0)
	if err != nil {
		return fmt.Errorf("%w: %s: F_GET_SEALS: %w", ErrNotSealed, name, err)
	}
	if seals&MemfdSeals != MemfdSeals || seals&(unix.F_SEAL_WRITE|unix.F_SEAL_FUTURE_WRITE) != 0 {
		return fmt.Errorf("%w: %s has seals %#x, want %#x and no write seal", ErrNotSealed, name, seals, MemfdSeals)
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return err
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG || st.Size < segHeaderSize || st.Size > 1<<48 {
		return fmt.Errorf("%w: %s: %d bytes", ErrNotSegment, name, st.Size)
	}
	if o.Size != 0 && st.Size != o.Size {
		return fmt.Errorf("%w: memfd has %d bytes, options ask %d", ErrSizeMismatch, st.Size, o.Size)
	}
	b, err := unix.Mmap(fd, 0, int(st.Size), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		return fmt.Errorf("plib: mmap %s: %w", name, err)
	}
	m.mem = b
	m.huge = adviseHugePages(b)
	if binary.LittleEndian.Uint32(m.mem[sInitialised:]) == 0 {
		return fmt.Errorf("%w: %s was never initialised", ErrNotSegment, name)
	}
	return m.validate(o)
}
