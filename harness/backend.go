package harness

import (
	"fmt"
	"sort"
	"strings"
	"sync"
)

// Backend is one system under test, shared by all workers. Its methods are safe for concurrent use.
type Backend interface {
	// Name returns the registered name ("memcached", "gomap", ...).
	Name() string
	// NewWorker returns a handle used by exactly one goroutine: its own connection or client slot.
	NewWorker() (Worker, error)
	// Close releases the backend and everything it started (a server process, a segment). Workers
	// must be closed first.
	Close() error
}

// Worker performs operations for one goroutine; it is not safe for concurrent use. Operations are
// allocation-free where the backend allows it. Key and value slices are only read during the call
// and may be reused by the caller as soon as it returns.
type Worker interface {
	// Get appends the value stored under key to dst[:0] and returns it; ErrNotFound on a miss.
	Get(key, dst []byte) ([]byte, error)
	// Set stores value under key, replacing any previous value.
	Set(key, value []byte) error
	// Delete removes key; ErrNotFound on a miss.
	Delete(key []byte) error
	// Incr adds delta to the decimal number stored under key and returns the new value;
	// ErrNotFound on a miss.
	Incr(key []byte, delta uint64) (uint64, error)
	// Close releases the worker's connection or slot.
	Close() error
}

// Persistent is implemented by backends whose contents outlive the process that loaded them (a
// plib segment file). When Persistent reports true, a run phase does not load implicitly.
type Persistent interface {
	Persistent() bool
}

// Attachable is implemented by backends that run a server other processes can connect to
// (memcached, redis): Attachment is what those processes pass as Config.Attach.
type Attachable interface {
	Attachment() string
}

// Config is what a backend needs to size and start itself. The zero value of each field means
// "the backend's default".
type Config struct {
	// RecordCount is the number of records the backend must hold without evicting.
	RecordCount int64
	// MaxKeySize and MaxValueSize bound one record, in bytes.
	MaxKeySize   int
	MaxValueSize int
	// MeanValueSize, when set, is the mean value size to size memory by, for record sets that
	// mix small and large values; 0 means MaxValueSize.
	MeanValueSize int
	// Workers is the number of workers that will be open at once.
	Workers int
	// ServerThreads is the number of server threads (memcached -t); 0 means 4.
	ServerThreads int
	// Segment names a plib segment file to share with other processes (multi-process mode);
	// empty gives each plib backend a private segment, deleted when it is opened.
	Segment string
	// Attach names a server that another process started and loaded, as "tcp:HOST:PORT" or
	// "unix:PATH" (an Attachable backend's Attachment): the server backends (memcached, redis)
	// then connect to it instead of starting their own. Multi-process mode.
	Attach string
	// MemcachedBinary overrides the search for the memcached executable.
	MemcachedBinary string
	// Log receives one-line notices (server started, pid, sizes); nil discards them.
	Log func(format string, args ...any)
}

// sizingValueSize is the value size memory estimates use.
func (c Config) sizingValueSize() int {
	if c.MeanValueSize > 0 && (c.MaxValueSize == 0 || c.MeanValueSize < c.MaxValueSize) {
		return c.MeanValueSize
	}
	return c.MaxValueSize
}

func (c Config) logf(format string, args ...any) {
	if c.Log != nil {
		c.Log(format, args...)
	}
}

// OpenFunc opens a registered backend.
type OpenFunc func(Config) (Backend, error)

type registration struct {
	open     OpenFunc
	describe string
}

var registry = struct {
	sync.RWMutex
	byName map[string]registration
}{byName: map[string]registration{}}

// Register makes a backend available to Open under name. describe is one line for help texts.
// Register panics if name is empty or already registered: both are programming errors found at
// init time.
func Register(name string, open OpenFunc, describe string) {
	registry.Lock()
	defer registry.Unlock()
	if name == "" || open == nil {
		panic("harness: Register with empty name or nil open function")
	}
	if _, dup := registry.byName[name]; dup {
		panic("harness: backend " + name + " registered twice")
	}
	registry.byName[name] = registration{open: open, describe: describe}
}

// Open opens the backend registered under name. An unknown name yields an error wrapping
// ErrUnknownBackend that lists the registered names.
func Open(name string, cfg Config) (Backend, error) {
	registry.RLock()
	reg, ok := registry.byName[name]
	registry.RUnlock()
	if !ok {
		return nil, fmt.Errorf("%w %q: registered backends are %s", ErrUnknownBackend, name, strings.Join(Names(), ", "))
	}
	return reg.open(cfg)
}

// Names returns the registered backend names, sorted.
func Names() []string {
	registry.RLock()
	defer registry.RUnlock()
	names := make([]string, 0, len(registry.byName))
	for name := range registry.byName {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// Registered reports whether a backend is registered under name.
func Registered(name string) bool {
	registry.RLock()
	defer registry.RUnlock()
	_, ok := registry.byName[name]
	return ok
}

// Describe returns the one-line description given to Register, or "" for an unknown name.
func Describe(name string) string {
	registry.RLock()
	defer registry.RUnlock()
	return registry.byName[name].describe
}
