package plib

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// The segment file:
//
//	[0, 4096)         plib header: magic, version, sizes and offsets (checksummed), then
//	                  the initialised flag
//	slotTableOff      client slot table, slotEntrySize bytes per slot
//	scratchOff        per-slot private scratch: key area, then value area
//	kvOff             the kv region, to the end of the file
const (
	segVersion    = 1
	segHeaderSize = 4096
	segChecked    = 64 // bytes covered by the header checksum

	sMagic        = 0
	sVersion      = 8
	sChecksum     = 12
	sSize         = 16
	sKVOff        = 24
	sSlotTableOff = 32
	sScratchOff   = 40
	sScratchSize  = 48
	sMaxSlots     = 56
	sInitialised  = 128

	pageSize      = 4096
	scratchKeyLen = 256 // a key (at most 250 bytes) rounded up
)

var segMagic = [8]byte{'p', 'l', 'i', 'b', 's', 'e', 'g', 0}

// segLayout is the segment's geometry.
type segLayout struct {
	size, kvOff, slotTableOff, scratchOff, scratchSize, maxSlots uint64
}

func newLayout(o Options) (segLayout, error) {
	l := segLayout{size: uint64(o.Size), maxSlots: uint64(o.MaxClients)}
	l.slotTableOff = segHeaderSize
	l.scratchOff = alignUp(l.slotTableOff+l.maxSlots*slotEntrySize, pageSize)
	l.scratchSize = alignUp(scratchKeyLen+uint64(o.MaxItemSize), pageSize)
	l.kvOff = alignUp(l.scratchOff+l.maxSlots*l.scratchSize, pageSize)
	if l.kvOff >= l.size || l.size%pageSize != 0 {
		return l, fmt.Errorf("%w: segment of %d bytes (a multiple of %d) cannot hold %d slots' scratch of %d bytes and a store",
			ErrOptions, l.size, pageSize, l.maxSlots, l.scratchSize)
	}
	return l, nil
}

func alignUp(x, a uint64) uint64 { return (x + a - 1) / a * a }

func (l segLayout) write(b []byte) {
	le := binary.LittleEndian
	copy(b[sMagic:], segMagic[:])
	le.PutUint32(b[sVersion:], segVersion)
	le.PutUint64(b[sSize:], l.size)
	le.PutUint64(b[sKVOff:], l.kvOff)
	le.PutUint64(b[sSlotTableOff:], l.slotTableOff)
	le.PutUint64(b[sScratchOff:], l.scratchOff)
	le.PutUint64(b[sScratchSize:], l.scratchSize)
	le.PutUint64(b[sMaxSlots:], l.maxSlots)
	le.PutUint32(b[sChecksum:], segChecksum(b))
}

func segChecksum(b []byte) uint32 {
	var h [segChecked]byte
	copy(h[:], b[:segChecked])
	binary.LittleEndian.PutUint32(h[sChecksum:], 0)
	return crc32.Checksum(h[:], crc32.MakeTable(crc32.Castagnoli))
}

// readLayout validates a segment header of a file of fileSize bytes.
func readLayout(b []byte, fileSize uint64) (segLayout, error) {
	var l segLayout
	if len(b) < segHeaderSize || [8]byte(b[:8]) != segMagic {
		return l, ErrNotSegment
	}
	le := binary.LittleEndian
	if v := le.Uint32(b[sVersion:]); v != segVersion {
		return l, fmt.Errorf("%w: segment has version %d, this build reads %d", ErrVersion, v, segVersion)
	}
	if segChecksum(b) != le.Uint32(b[sChecksum:]) {
		return l, fmt.Errorf("%w: header checksum mismatch", ErrCorrupt)
	}
	l = segLayout{
		size: le.Uint64(b[sSize:]), kvOff: le.Uint64(b[sKVOff:]), slotTableOff: le.Uint64(b[sSlotTableOff:]),
		scratchOff: le.Uint64(b[sScratchOff:]), scratchSize: le.Uint64(b[sScratchSize:]), maxSlots: le.Uint64(b[sMaxSlots:]),
	}
	if l.size != fileSize {
		return l, fmt.Errorf("%w: header says %d bytes, file has %d", ErrSizeMismatch, l.size, fileSize)
	}
	want, err := newLayout(Options{Size: int64(l.size), MaxClients: int(l.maxSlots), MaxItemSize: int(l.scratchSize - scratchKeyLen)})
	// Every slot's scratch (a key area, then a value area) must lie between the slot table
	// and the kv region; the division keeps a huge scratchSize from wrapping the product.
	if err != nil || l.maxSlots == 0 || l.maxSlots > 4096 || want.slotTableOff != l.slotTableOff ||
		want.scratchOff != l.scratchOff || want.scratchSize != l.scratchSize || l.scratchSize <= scratchKeyLen ||
		l.scratchOff >= l.size || l.scratchSize > (l.size-l.scratchOff)/l.maxSlots ||
		l.kvOff < want.kvOff || l.kvOff%pageSize != 0 || l.kvOff >= l.size {
		return l, fmt.Errorf("%w: header offsets inconsistent", ErrCorrupt)
	}
	return l, nil
}

// segmentPath puts a bare name under /dev/shm; a path with a slash is used as given.
func segmentPath(path string) string {
	if !strings.ContainsRune(path, '/') {
		return filepath.Join("/dev/shm", path)
	}
	return path
}

// openSegmentFile opens the segment file at path for reading and writing, creating it
// with mode perm (exactly, whatever the umask) if it does not exist, and refuses a file
// that is not safely the caller's:
//
//   - the last component of path may not be a symbolic link (O_NOFOLLOW): ErrSymlink. A
//     symlink planted where the segment goes would otherwise make the caller create or
//     reuse a file of the planter's choosing. Directories above it are followed.
//   - it must be a regular file with one link: ErrNotRegular for a directory, fifo,
//     socket or device (opened O_NONBLOCK|O_NOCTTY, so a fifo or a terminal cannot block
//     or adopt the caller before it is refused), and for a file with other hard links,
//     whose other names may be in someone else's hands.
//   - it must belong to the caller's effective uid: ErrNotOwner.
//   - its permission bits may not exceed perm (no group or other bits by default), nor
//     include set-id or sticky bits: ErrPermissive. A file others could read or write
//     leaks or corrupts the store whatever PKU does.
//
// A new file is created with O_EXCL, so a file planted between the first open and the
// create is never truncated or adopted blindly: the create fails and the loop opens the
// existing file under the same checks. Every descriptor is O_CLOEXEC. The checks are
// made on the open descriptor (fstat), so the file checked is the file used.
func openSegmentFile(path string, perm os.FileMode) (*os.File, error) {
	const flags = unix.O_RDWR | unix.O_NOFOLLOW | unix.O_CLOEXEC | unix.O_NONBLOCK | unix.O_NOCTTY
	for attempt := 0; ; attempt++ {
		fd, err := unix.Open(path, flags, 0)
		created := false
		if err == unix.ENOENT {
			fd, err = unix.Open(path, flags|unix.O_CREAT|unix.O_EXCL, uint32(perm))
			if err == unix.EEXIST && attempt < 10 {
				continue // appeared meanwhile (or is a dangling symlink): open it, checked
			}
			created = err == nil
		}
		if err != nil {
			return nil, openError(path, err)
		}
		if created {
			// The umask may have taken bits the caller asked for.
			err = unix.Fchmod(fd, uint32(perm))
		} else {
			err = checkSegmentFile(fd, path, perm)
		}
		if err == nil {
			// Regular files ignore O_NONBLOCK, but the descriptor should not claim it.
			_, err = unix.FcntlInt(uintptr(fd), unix.F_SETFL, 0)
		}
		if err != nil {
			unix.Close(fd)
			return nil, err
		}
		return os.NewFile(uintptr(fd), path), nil
	}
}

// openError names why path could not be opened, with a typed error where the reason is
// the file's kind.
func openError(path string, err error) error {
	switch err {
	case unix.ELOOP:
		if target, rerr := os.Readlink(path); rerr == nil {
			return fmt.Errorf("%w: %s -> %s", ErrSymlink, path, target)
		}
		return fmt.Errorf("%w: %s: %w", ErrSymlink, path, err)
	case unix.EISDIR:
		return fmt.Errorf("%w: %s is a directory", ErrNotRegular, path)
	case unix.ENXIO, unix.ENODEV, unix.EOPNOTSUPP:
		return fmt.Errorf("%w: %s: %w", ErrNotRegular, path, err)
	}
	return fmt.Errorf("plib: open %s: %w", path, err)
}

// checkSegmentFile refuses an existing segment file fd (opened from path) that is not a
// regular file with one link, owned by the caller, with at most perm's permission bits.
func checkSegmentFile(fd int, path string, perm os.FileMode) error {
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return fmt.Errorf("plib: stat %s: %w", path, err)
	}
	if kind := st.Mode & unix.S_IFMT; kind != unix.S_IFREG {
		return fmt.Errorf("%w: %s is a %s", ErrNotRegular, path, fileKind(kind))
	}
	if st.Nlink != 1 {
		return fmt.Errorf("%w: %s has %d hard links (another name for it may be someone else's)", ErrNotRegular, path, st.Nlink)
	}
	if euid := os.Geteuid(); int(st.Uid) != euid {
		return fmt.Errorf("%w: %s belongs to uid %d, we are %d", ErrNotOwner, path, st.Uid, euid)
	}
	// st.Mode's low 12 bits are the kernel's: permissions, then sticky, setgid, setuid.
	if mode := st.Mode & 0o7777; mode&^uint32(perm.Perm()) != 0 {
		return fmt.Errorf("%w: %s has mode %#o, more than the %#o asked (Options.FileMode)", ErrPermissive, path, mode, uint32(perm))
	}
	return nil
}

// fileKind names a file type (the S_IFMT bits of st_mode).
func fileKind(kind uint32) string {
	switch kind {
	case unix.S_IFDIR:
		return "directory"
	case unix.S_IFIFO:
		return "fifo"
	case unix.S_IFSOCK:
		return "socket"
	case unix.S_IFCHR:
		return "character device"
	case unix.S_IFBLK:
		return "block device"
	case unix.S_IFLNK:
		return "symbolic link"
	}
	return fmt.Sprintf("file of type %#o", kind)
}

// mapped is an open, mapped segment file.
type mapped struct {
	file    *os.File
	mem     []byte
	layout  segLayout
	created bool
	huge    string // adviseHugePages's note
}

// openFile creates or attaches the segment file under an exclusive flock, so exactly one
// opener creates it. init runs on a new segment with the lock held, before the header's
// initialised flag is set; an attacher that finds a file without the flag (its creator
// died mid-way) initialises it again. The file is opened by openSegmentFile, which
// refuses what might be someone else's.
func openFile(path string, o Options, init func(m *mapped) error) (*mapped, error) {
	f, err := openSegmentFile(segmentPath(path), o.fileMode())
	if err != nil {
		return nil, err
	}
	m := &mapped{file: f}
	if err := m.open(o, init); err != nil {
		m.close()
		return nil, err
	}
	return m, nil
}

func (m *mapped) open(o Options, init func(m *mapped) error) error {
	fd := int(m.file.Fd())
	if err := unix.Flock(fd, unix.LOCK_EX); err != nil {
		return fmt.Errorf("plib: lock %s: %w", m.file.Name(), err)
	}
	defer unix.Flock(fd, unix.LOCK_UN)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return err
	}
	if int(st.Uid) != os.Geteuid() {
		return fmt.Errorf("%w: %s belongs to uid %d, we are %d", ErrNotOwner, m.file.Name(), st.Uid, os.Geteuid())
	}
	if st.Size == 0 {
		return m.create(o, init)
	}
	if o.Size != 0 && st.Size != o.Size {
		return fmt.Errorf("%w: file has %d bytes, options ask %d", ErrSizeMismatch, st.Size, o.Size)
	}
	if st.Size < segHeaderSize {
		return fmt.Errorf("%w: %d bytes is shorter than the header", ErrNotSegment, st.Size)
	}
	if err := m.mmap(int(st.Size)); err != nil {
		return err
	}
	if binary.LittleEndian.Uint32(m.mem[sInitialised:]) == 0 {
		if [8]byte(m.mem[:8]) == segMagic || allZero(m.mem[:segHeaderSize]) {
			return m.initialise(o, init) // its creator died before finishing
		}
		return ErrNotSegment
	}
	return m.validate(o)
}

// validate checks the header of an initialised, mapped segment against the options and
// takes its layout.
func (m *mapped) validate(o Options) error {
	l, err := readLayout(m.mem, uint64(len(m.mem)))
	if err != nil {
		return err
	}
	if o.MaxClients != 0 && uint64(o.MaxClients) != l.maxSlots || o.MaxItemSize != 0 && uint64(o.MaxItemSize)+scratchKeyLen > l.scratchSize {
		return fmt.Errorf("%w: segment has %d client slots and %d-byte scratch; options ask %d and %d",
			ErrSizeMismatch, l.maxSlots, l.scratchSize, o.MaxClients, o.MaxItemSize)
	}
	m.layout = l
	return nil
}

func (m *mapped) create(o Options, init func(m *mapped) error) error {
	o = o.withDefaults()
	if _, err := newLayout(o); err != nil {
		return err
	}
	if err := m.file.Truncate(o.Size); err != nil {
		return err
	}
	if err := m.mmap(int(o.Size)); err != nil {
		return err
	}
	return m.initialise(o, init)
}

func (m *mapped) initialise(o Options, init func(m *mapped) error) error {
	o = o.withDefaults()
	o.Size = int64(len(m.mem))
	l, err := newLayout(o)
	if err != nil {
		return err
	}
	m.layout, m.created = l, true
	if err := init(m); err != nil {
		return err
	}
	return nil
}

func (m *mapped) mmap(size int) error {
	b, err := unix.Mmap(int(m.file.Fd()), 0, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		return fmt.Errorf("plib: mmap %s: %w", m.file.Name(), err)
	}
	m.mem = b
	m.huge = adviseHugePages(b)
	return nil
}

func (m *mapped) close() error {
	var errs []error
	if m.mem != nil {
		errs = append(errs, unix.Munmap(m.mem))
		m.mem = nil
	}
	if m.file != nil {
		errs = append(errs, m.file.Close())
		m.file = nil
	}
	return errors.Join(errs...)
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
