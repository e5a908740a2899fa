package harness

import (
	"context"
	"fmt"
	"sync/atomic"

	"github.com/redis/go-redis/v9"
)

// batchLoad loads Redis through go-redis pipelines of SETs.
func (be *redisBackend) batchLoad(b *Benchmark) (loadFunc, func(int64) error, bool) {
	load := func(ctx context.Context, start, end int64, sent *atomic.Int64) error {
		return b.loadRedisPipelined(ctx, be, start, end, sent)
	}
	return load, func(total int64) error { return checkRedisKeys(be, total) }, be.server != nil
}

// loadRedisPipelined sets records [start, end) over one connection, pipelineDepth SETs per
// round trip, checking every reply.
func (b *Benchmark) loadRedisPipelined(ctx context.Context, be *redisBackend, start, end int64, sent *atomic.Int64) error {
	client := redis.NewClient(&redis.Options{Network: be.network, Addr: be.addr, PoolSize: 1, MaxRetries: -1,
		DisableIdentity: true, ReadTimeout: pipelineDeadline, WriteTimeout: pipelineDeadline})
	defer client.Close()
	var key, value []byte
	for next := start; next < end; {
		batch := min(end-next, pipelineDepth)
		pipe := client.Pipeline()
		for keynum := next; keynum < next+batch; keynum++ {
			key = b.workload.KeyName(key[:0], keynum)
			value = b.workload.LoadValue(value[:0], key, 0)
			pipe.Set(ctx, string(key), string(value), 0) // copies: the pipeline keeps them until Exec
		}
		cmds, err := pipe.Exec(ctx)
		if err != nil {
			return err
		}
		for _, cmd := range cmds {
			if err := cmd.Err(); err != nil {
				return fmt.Errorf("set refused: %w", err)
			}
		}
		next += batch
		sent.Add(batch)
	}
	return nil
}

// checkRedisKeys fails unless the server holds want keys (DBSIZE).
func checkRedisKeys(be *redisBackend, want int64) error {
	client := redis.NewClient(&redis.Options{Network: be.network, Addr: be.addr, PoolSize: 1, DisableIdentity: true})
	defer client.Close()
	have, err := client.DBSize(context.Background()).Result()
	if err != nil {
		return fmt.Errorf("dbsize: %w", err)
	}
	if have != want {
		return fmt.Errorf("redis holds %d keys after %d were stored", have, want)
	}
	return nil
}
