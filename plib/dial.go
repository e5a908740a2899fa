//go:build linux

package plib

import (
	"context"
	"time"

	"github.com/plibcached/plibcached/plib/handoff"
)

// ErrRefused: plibd refused to hand this process the segment. Dial returns it as a
// *handoff.RefusedError, whose Reason is the server's; errors.Is(err, ErrRefused) holds.
// It is the same value as handoff.ErrRefused.
var ErrRefused = handoff.ErrRefused

// DialTimeout bounds Dial: connecting to plibd and waiting for its answer.
const DialTimeout = 10 * time.Second

// Dial asks the plibd serving socketPath for the segment and attaches it (OpenFile): the
// way to reach a segment that lives in a memfd. Errors: ErrRefused (with the server's
// reason), handoff.ErrProtocol for a server that does not speak this protocol version,
// the connection's errors, and OpenFile's. The received descriptor is closed once the
// segment is mapped, so the process holds none.
func Dial(socketPath string, opts Options) (*Client, error) {
	ctx, cancel := context.WithTimeout(context.Background(), DialTimeout)
	defer cancel()
	return DialContext(ctx, socketPath, opts)
}

// DialContext is Dial with a context bounding the exchange with plibd.
func DialContext(ctx context.Context, socketPath string, opts Options) (*Client, error) {
	if err := opts.validate(); err != nil {
		return nil, err // before asking for a grant that would be wasted
	}
	f, err := handoff.Receive(ctx, socketPath)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return OpenFile(f, opts)
}
