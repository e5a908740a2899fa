package harness

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/redis/go-redis/v9"
)

func init() {
	Register("redis", openRedisTCP,
		"Debian's redis-server started by the harness, loopback TCP, clients via go-redis (context: not in the paper)")
	Register("redis-unix", openRedisUnix,
		"Debian's redis-server started by the harness, unix socket, clients via go-redis (context: not in the paper)")
}

// Redis's per-key memory beyond key and value: the dict entry, the key's and value's object
// headers and sds headers, jemalloc's size classes, and the dict's growth to twice the keys.
const (
	redisKeyOverhead = 96
	redisHeadroom    = 1.3
	redisBaseRSS     = 16 << 20
)

// RedisFootprint estimates redis-server's resident size for n records of keySize+valueSize.
func RedisFootprint(n int64, keySize, valueSize int) int64 {
	return int64(float64(n)*float64(keySize+valueSize+redisKeyOverhead)*redisHeadroom) + redisBaseRSS
}

// redisBackend is a harness-started redis-server (or, attached, one another process started).
type redisBackend struct {
	name    string
	server  *MemcachedServer // nil when attached
	network string
	addr    string
}

func openRedisTCP(cfg Config) (Backend, error)  { return openRedis("redis", false, cfg) }
func openRedisUnix(cfg Config) (Backend, error) { return openRedis("redis-unix", true, cfg) }

// openRedis checks the memory and starts the server, or attaches to cfg.Attach.
func openRedis(name string, unix bool, cfg Config) (Backend, error) {
	if _, err := FindRedis(); err != nil {
		return nil, err
	}
	if cfg.Attach != "" {
		network, addr, err := parseAttach(cfg.Attach)
		if err != nil {
			return nil, err
		}
		return &redisBackend{name: name, network: network, addr: addr}, nil
	}
	need := RedisFootprint(cfg.RecordCount, cfg.MaxKeySize, cfg.sizingValueSize())
	what := fmt.Sprintf("redis for %d records of %d+%d B", cfg.RecordCount, cfg.MaxKeySize, cfg.sizingValueSize())
	if err := CheckMemory(what, need); err != nil {
		return nil, err
	}
	server, err := StartRedis(unix, 2*cfg.Workers+16)
	if err != nil {
		return nil, err
	}
	cfg.logf("redis-server started: pid %d, %s %s, flags %s", server.Pid(), server.Network(), server.Addr(), strings.Join(server.Args(), " "))
	return &redisBackend{name: name, server: server, network: server.Network(), addr: server.Addr()}, nil
}

// Name returns "redis" or "redis-unix".
func (b *redisBackend) Name() string { return b.name }

// Attachment returns "network:address": what another process passes as Config.Attach.
func (b *redisBackend) Attachment() string { return b.network + ":" + b.addr }

// Persistent reports whether the backend is attached to a server another process started, which
// keeps the records that process loaded.
func (b *redisBackend) Persistent() bool { return b.server == nil }

// NewWorker returns a worker with its own go-redis client of pool size 1: one connection per
// worker, dialled now rather than inside the first timed operation.
func (b *redisBackend) NewWorker() (Worker, error) {
	client := redis.NewClient(&redis.Options{
		Network: b.network, Addr: b.addr, PoolSize: 1, MaxRetries: -1, DisableIdentity: true,
		DialTimeout: memcachedClientTimeout, ReadTimeout: memcachedClientTimeout, WriteTimeout: memcachedClientTimeout,
	})
	ctx := context.Background()
	if err := client.Ping(ctx).Err(); err != nil {
		client.Close()
		return nil, fmt.Errorf("%s: connect to %s: %w", b.name, b.addr, err)
	}
	if err := redisIncr.Load(ctx, client).Err(); err != nil { // so EVALSHA never misses
		client.Close()
		return nil, fmt.Errorf("%s: load the incr script: %w", b.name, err)
	}
	return &redisWorker{client: client, ctx: ctx}, nil
}

// Close stops the server if this backend started it.
func (b *redisBackend) Close() error {
	if b.server == nil {
		return nil
	}
	return b.server.Stop()
}

// redisIncr is memcached's incr: it adds to an existing counter and misses on an absent key,
// where Redis's INCRBY would create the key at 0. One round trip, atomic on the server.
var redisIncr = redis.NewScript(`if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('INCRBY', KEYS[1], ARGV[1]) end return false`)

// redisWorker maps the harness's operations to Redis commands. The harness stores every value
// with flags 0 and exptime 0, so a value is stored as it is (no header: INCRBY must see the
// digits) with a plain SET, which never expires; a memcached exptime would map to SET's EX (or
// EXAT past memcached's 30-day limit), and nonzero flags to a 4-byte header or a hash field.
type redisWorker struct {
	client *redis.Client
	ctx    context.Context
}

// Get appends the value to dst[:0].
func (w *redisWorker) Get(key, dst []byte) ([]byte, error) {
	v, err := w.client.Get(w.ctx, unsafeString(key)).Bytes()
	if err != nil {
		return dst[:0], redisError(err)
	}
	return append(dst[:0], v...), nil
}

// Set stores value under key with SET, no expiry.
func (w *redisWorker) Set(key, value []byte) error {
	return redisError(w.client.Set(w.ctx, unsafeString(key), value, 0).Err())
}

// Delete removes key with DEL; a count of 0 is a miss.
func (w *redisWorker) Delete(key []byte) error {
	n, err := w.client.Del(w.ctx, unsafeString(key)).Result()
	if err != nil {
		return redisError(err)
	}
	if n == 0 {
		return ErrNotFound
	}
	return nil
}

// Incr adds delta with the redisIncr script (INCRBY when the key exists). Redis counters are
// signed 64-bit: a delta or a total past 2^63-1 is an error, where memcached wraps at 2^64.
func (w *redisWorker) Incr(key []byte, delta uint64) (uint64, error) {
	if delta > 1<<63-1 {
		return 0, fmt.Errorf("redis: incr delta %d past Redis's signed 64-bit counters", delta)
	}
	n, err := redisIncr.EvalSha(w.ctx, w.client, []string{unsafeString(key)}, int64(delta)).Int64()
	if err != nil {
		return 0, redisError(err)
	}
	return uint64(n), nil
}

// Close closes the worker's connection.
func (w *redisWorker) Close() error { return w.client.Close() }

// redisError maps go-redis's nil reply (a miss) to ErrNotFound.
func redisError(err error) error {
	if errors.Is(err, redis.Nil) {
		return ErrNotFound
	}
	return err
}

// parseAttach splits "network:address" (tcp:127.0.0.1:11311, unix:/tmp/x/redis.sock).
func parseAttach(s string) (network, addr string, err error) {
	network, addr, ok := strings.Cut(s, ":")
	if !ok || (network != "tcp" && network != "unix") || addr == "" {
		return "", "", fmt.Errorf("%w: attach %q: want tcp:HOST:PORT or unix:PATH", ErrInvalidOptions, s)
	}
	return network, addr, nil
}
