package harness

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// ErrRedisNotFound is returned when no redis-server binary can be found. It wraps
// ErrUnavailable.
var ErrRedisNotFound = sentinelWithin("redis-server not found: run sudo apt-get install -y redis-server", ErrUnavailable)

// FindRedis returns the redis-server executable: $REDIS_SERVER if set (it must exist), else
// redis-server on PATH, /usr/bin or /usr/local/bin.
func FindRedis() (string, error) {
	if p := os.Getenv("REDIS_SERVER"); p != "" {
		path, err := exec.LookPath(p)
		if err != nil {
			return "", fmt.Errorf("%w (REDIS_SERVER=%s)", ErrRedisNotFound, p)
		}
		return path, nil
	}
	if path, err := exec.LookPath("redis-server"); err == nil {
		return path, nil
	}
	for _, path := range []string{"/usr/bin/redis-server", "/usr/local/bin/redis-server"} {
		if st, err := os.Stat(path); err == nil && !st.IsDir() && st.Mode()&0o111 != 0 {
			return path, nil
		}
	}
	return "", ErrRedisNotFound
}

// RedisVersion returns redis-server's version line ("Redis server v=7.0.15 ...").
func RedisVersion() (string, error) {
	path, err := FindRedis()
	if err != nil {
		return "", err
	}
	out, err := exec.Command(path, "--version").Output()
	if err != nil {
		return "", fmt.Errorf("%s --version: %w", path, err)
	}
	return strings.TrimSpace(string(out)), nil
}

// StartRedis starts a redis-server the way StartMemcached starts memcached: its own free
// loopback port (or a unix socket in a fresh directory), its own process group, Pdeathsig
// SIGKILL, ready when it answers PING, stopped by SIGKILL to its group. The server is a pure
// memory store, with Redis's documented defaults otherwise (see redisArgs).
func StartRedis(unix bool, maxClients int) (*MemcachedServer, error) {
	path, err := FindRedis()
	if err != nil {
		return nil, err
	}
	return startServer(path, MemcachedOptions{
		UnixSocket: unix, socketName: "redis.sock", probe: probePing,
		serverArgs: func(addr string) []string { return redisArgs(unix, addr, maxClients) },
	})
}

// redisArgs are redis-server's flags: listen only where asked; no persistence at all (no RDB
// snapshots, no AOF: a memory store, as memcached is); no maxmemory, so nothing is evicted;
// enough clients. Everything else is Redis's default, which its documentation gives as the
// setting for a single node: io-threads 1 (its docs advise threads only beyond a few cores left
// free, which 2 shared cores are not), jemalloc, no active defragmentation.
func redisArgs(unix bool, addr string, maxClients int) []string {
	args := []string{"--save", "", "--appendonly", "no", "--daemonize", "no", "--logfile", "",
		"--dir", os.TempDir(), "--protected-mode", "no", "--maxclients", strconv.Itoa(max(maxClients, 1024))}
	if unix {
		return append(args, "--port", "0", "--unixsocket", addr, "--unixsocketperm", "700")
	}
	host, port, _ := net.SplitHostPort(addr)
	return append(args, "--bind", host, "--port", port)
}

// probePing sends PING and expects +PONG.
func probePing(network, addr string) error {
	conn, err := net.DialTimeout(network, addr, 200*time.Millisecond)
	if err != nil {
		return err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(time.Second))
	if _, err := conn.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return err
	}
	if !strings.HasPrefix(line, "+PONG") {
		return fmt.Errorf("unexpected answer %q", line)
	}
	return nil
}
