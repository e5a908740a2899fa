package workloads

import (
	"errors"
	"fmt"
)

// Sentinel errors. Functions wrap them with %w and the detail (property name and value, byte
// counts, hashes), so callers test with errors.Is and print the message for people.
var (
	// ErrBadProperty reports a property value that cannot be used: not a number, out of range,
	// an unknown distribution, proportions that do not sum to 1, or an unreadable property file.
	ErrBadProperty = errors.New("workloads: bad property")

	// ErrScanUnsupported reports a workload with scanproportion > 0 (YCSB's workload E):
	// memcached has no ordered key space to scan.
	ErrScanUnsupported = errors.New("workloads: scan is not supported by memcached")

	// ErrCorruptValue reports a value that is not whole: too short, a wrong magic byte,
	// a length that disagrees with the header, or a checksum mismatch.
	ErrCorruptValue = errors.New("workloads: corrupt value")

	// ErrWrongKey reports a whole value that was written for a different key.
	ErrWrongKey = errors.New("workloads: value belongs to another key")

	// ErrBadAcknowledge reports an insert acknowledged twice, acknowledged without having been
	// issued, or acknowledged while too many earlier inserts were still unacknowledged.
	ErrBadAcknowledge = errors.New("workloads: bad insert acknowledgement")
)

// errNotThisThreads reports an acknowledgement of a record this thread did not insert.
func errNotThisThreads(keynum, thread int64) error {
	return fmt.Errorf("%w: record %d is not an insert of thread %d", ErrBadAcknowledge, keynum, thread)
}
