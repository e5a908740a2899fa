//go:build linux

package handoff

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// maxRights is how many descriptors Receive makes room for. A grant carries one; room
// for more lets Receive see (and close) what a broken server sends, and the kernel closes
// whatever does not fit (MSG_CTRUNC).
const maxRights = 8

// Receive connects to the server at socketPath and returns the segment descriptor it
// grants (close-on-exec), or a *RefusedError (errors.Is(err, ErrRefused)) carrying the
// server's reason, or an error wrapping ErrProtocol for a reply that is not a
// well-formed message of this Version, or a grant without exactly one descriptor.
// Descriptors that arrive with an error are closed. Without a deadline on ctx, the wait
// is bounded by DefaultTimeout.
func Receive(ctx context.Context, socketPath string) (*os.File, error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultTimeout)
		defer cancel()
	}
	var d net.Dialer
	nc, err := d.DialContext(ctx, "unixpacket", socketPath)
	if err != nil {
		return nil, fmt.Errorf("plib/handoff: %w", err)
	}
	c := nc.(*net.UnixConn)
	defer c.Close()
	dl, _ := ctx.Deadline()
	c.SetDeadline(dl)
	stop := context.AfterFunc(ctx, func() { c.SetDeadline(time.Unix(1, 0)) }) // cancellation
	defer stop()

	buf := make([]byte, headerLen+MaxText+1)
	oob := make([]byte, unix.CmsgSpace(maxRights*4))
	n, oobn, flags, _, err := c.ReadMsgUnix(buf, oob)
	n, oobn = max(n, 0), max(oobn, 0) // -1 with some errors
	fds := rights(oob[:oobn])
	f, err := reply(buf[:n], fds, flags, err, socketPath)
	if err != nil {
		for _, fd := range fds {
			unix.Close(fd)
		}
		return nil, err
	}
	return f, nil
}

// reply judges what Receive read.
func reply(b []byte, fds []int, flags int, err error, socketPath string) (*os.File, error) {
	switch {
	case errors.Is(err, io.EOF):
		return nil, fmt.Errorf("%w: %s closed the connection without a reply", ErrProtocol, socketPath)
	case err != nil:
		return nil, fmt.Errorf("plib/handoff: reading from %s: %w", socketPath, err)
	case flags&unix.MSG_CTRUNC != 0:
		return nil, fmt.Errorf("%w: more than %d descriptors, or control data truncated", ErrProtocol, maxRights)
	case flags&unix.MSG_TRUNC != 0:
		return nil, fmt.Errorf("%w: message longer than %d bytes", ErrProtocol, headerLen+MaxText)
	case len(b) == 0:
		return nil, fmt.Errorf("%w: %s closed the connection without a reply", ErrProtocol, socketPath)
	}
	m, err := decode(b)
	switch {
	case err != nil:
		return nil, err
	case m.kind == kindRefusal:
		return nil, &RefusedError{Reason: m.text}
	case len(fds) != 1:
		return nil, fmt.Errorf("%w: a grant carried %d descriptors, want 1", ErrProtocol, len(fds))
	}
	return os.NewFile(uintptr(fds[0]), "plib-segment"), nil
}

// rights collects every descriptor in the SCM_RIGHTS messages of oob (so that all can
// be closed), whatever else oob holds.
func rights(oob []byte) []int {
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return nil // the kernel wrote oob; it parses
	}
	var fds []int
	for i := range msgs {
		if msgs[i].Header.Level == unix.SOL_SOCKET && msgs[i].Header.Type == unix.SCM_RIGHTS {
			got, err := unix.ParseUnixRights(&msgs[i])
			if err == nil {
				fds = append(fds, got...)
			}
		}
	}
	return fds
}
