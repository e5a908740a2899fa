package harness

import "errors"

// Sentinel errors. Functions wrap them with %w and add the detail (the name, the estimate, the
// key), so callers test with errors.Is and users read the wrapped message.
var (
	// ErrNotFound is returned by Worker.Get, Worker.Delete and Worker.Incr when the key is absent.
	ErrNotFound = errors.New("harness: key not found")

	// ErrUnknownBackend is returned by Open for a name nobody registered.
	ErrUnknownBackend = errors.New("harness: unknown backend")

	// ErrUnavailable is returned by a backend's open function when the backend exists but cannot run
	// here (no memcached binary, no PKU). Tables report such a backend as skipped.
	ErrUnavailable = errors.New("harness: backend unavailable")

	// ErrMemcachedNotFound is returned when no memcached binary can be found. It wraps
	// ErrUnavailable.
	ErrMemcachedNotFound = sentinelWithin("memcached not found: run sudo apt-get install -y memcached", ErrUnavailable)

	// ErrServerNotReady is returned when a started memcached does not answer in time or exits.
	ErrServerNotReady = errors.New("harness: memcached did not become ready")

	// ErrInsufficientMemory is returned before loading when the estimated footprint exceeds the
	// memory available.
	ErrInsufficientMemory = errors.New("harness: records will not fit in memory")

	// ErrCorruptRead is returned when a value read back fails its checksum or names another key.
	ErrCorruptRead = errors.New("harness: read returned a corrupt value")

	// ErrUnsupportedOp is returned when a workload asks for an operation no backend here offers
	// (SCAN).
	ErrUnsupportedOp = errors.New("harness: unsupported operation")

	// ErrInvalidOptions is returned for options or properties that cannot be run.
	ErrInvalidOptions = errors.New("harness: invalid options")

	// ErrIncompatibleResults is returned by MergeResults for parts from different runs.
	ErrIncompatibleResults = errors.New("harness: results cannot be merged")
)

// wrappedSentinel is a sentinel with its own message that also matches a broader sentinel.
type wrappedSentinel struct {
	msg   string
	inner error
}

func (e *wrappedSentinel) Error() string { return e.msg }
func (e *wrappedSentinel) Unwrap() error { return e.inner }

func sentinelWithin(msg string, inner error) error { return &wrappedSentinel{msg: msg, inner: inner} }
