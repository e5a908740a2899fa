package harness

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// pipelineDepth is the number of sets LoadFast sends per round trip to a memcached server: enough
// to amortise the system calls of a round trip, few enough that a batch's replies fit in the
// socket buffers.
const pipelineDepth = 128

// pipelineDeadline bounds one batch's round trip; a server that does not answer within it is
// stuck, not slow.
const pipelineDeadline = time.Minute

// LoadFast inserts the same records as Load, the fastest way the backend allows. For the
// memcached backends that is b.Threads() connections, each sending its share of the records as
// pipelined batches of text-protocol sets and checking every reply: loading tens of millions of
// records one round trip at a time takes many minutes, and the load is not what the paper
// measures. The redis backends load the same way, through go-redis pipelines of SETs. Insert latencies are then not recorded (the result's Ops is empty and a note says
// so), and the server's item count is checked against the records sent. Other backends load
// exactly as Load does.
func (b *Benchmark) LoadFast(ctx context.Context) (*Result, error) {
	fast, ok := b.backend.(batchLoader)
	if !ok {
		return b.Load(ctx)
	}
	load, check, ok := fast.batchLoad(b)
	if !ok {
		return b.Load(ctx)
	}
	var sent atomic.Int64
	var total int64
	for i := range b.opts.threads {
		start, end := b.workload.LoadRange(i, b.opts.threads)
		total += end - start
	}
	prog := b.newProgress("load", "records", total, 0, sent.Load)
	start := time.Now()
	prog.begin(start)
	err := b.pipelinedLoad(ctx, load, &sent)
	end := time.Now()
	prog.finish(err == nil)
	if err != nil {
		return nil, err
	}
	if err := check(total); err != nil {
		return nil, err
	}
	r := b.newResult("load")
	r.Start = start.UTC()
	r.RuntimeMs = float64(end.Sub(start)) / float64(time.Millisecond)
	r.Operations = total
	if r.RuntimeMs > 0 {
		r.Throughput = float64(total) / (r.RuntimeMs / 1e3)
	}
	r.Notes = append(r.Notes, fmt.Sprintf("loaded by %d threads (connections), %d records per round trip or write transaction; insert latencies not recorded; the store's item count checked", b.opts.threads, pipelineDepth))
	return r, nil
}

// loadFunc loads records [start, end) in batches, adding each batch to sent once stored.
type loadFunc func(ctx context.Context, start, end int64, sent *atomic.Int64) error

// batchLoader is a backend that LoadFast loads in batches: it returns the loader of one
// thread's range and the check of the total stored, or ok false to load as Load does.
type batchLoader interface {
	batchLoad(b *Benchmark) (load loadFunc, check func(total int64) error, ok bool)
}

// batchLoad loads memcached over pipelined text-protocol connections (not one attached to
// another process's server: that one is loaded already).
func (be *memcachedBackend) batchLoad(b *Benchmark) (loadFunc, func(int64) error, bool) {
	load := func(ctx context.Context, start, end int64, sent *atomic.Int64) error {
		return b.loadOverConnection(ctx, be.server, start, end, sent)
	}
	return load, func(total int64) error { return checkItemCount(be.server, total) }, be.server != nil
}

// pipelinedLoad runs one loader per thread, each over its own connection, and returns the first
// error.
func (b *Benchmark) pipelinedLoad(ctx context.Context, load loadFunc, sent *atomic.Int64) error {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var wg sync.WaitGroup
	for i := range b.opts.threads {
		start, end := b.workload.LoadRange(i, b.opts.threads)
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := load(ctx, start, end, sent); err != nil {
				cancel(err)
			}
		}()
	}
	wg.Wait()
	if err := context.Cause(ctx); err != nil {
		return fmt.Errorf("%s: load: %w", b.backend.Name(), err)
	}
	return nil
}

// loadOverConnection sets records [start, end) over one connection, pipelineDepth at a time.
func (b *Benchmark) loadOverConnection(ctx context.Context, server *MemcachedServer, start, end int64, sent *atomic.Int64) error {
	conn, err := net.Dial(server.Network(), server.Addr())
	if err != nil {
		return err
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Now()) })
	defer stop()
	rd, wr := bufio.NewReaderSize(conn, 64<<10), bufio.NewWriterSize(conn, 256<<10)
	var key, value []byte
	for next := start; next < end; {
		batch := min(end-next, pipelineDepth)
		conn.SetDeadline(time.Now().Add(pipelineDeadline))
		for keynum := next; keynum < next+batch; keynum++ {
			key = b.workload.KeyName(key[:0], keynum)
			value = b.workload.LoadValue(value[:0], key, 0)
			writeSet(wr, key, value)
		}
		if err := wr.Flush(); err != nil {
			return err
		}
		for range batch {
			line, err := rd.ReadSlice('\n')
			if err != nil {
				return err
			}
			if !bytes.Equal(line, []byte("STORED\r\n")) {
				return fmt.Errorf("set refused: %q", bytes.TrimSpace(line))
			}
		}
		next += batch
		sent.Add(batch)
	}
	return nil
}

// writeSet appends "set <key> 0 0 <len>\r\n<value>\r\n" to w; errors surface at Flush.
func writeSet(w *bufio.Writer, key, value []byte) {
	w.WriteString("set ")
	w.Write(key)
	w.WriteString(" 0 0 ")
	var n [20]byte
	w.Write(strconv.AppendInt(n[:0], int64(len(value)), 10))
	w.WriteString("\r\n")
	w.Write(value)
	w.WriteString("\r\n")
}

// checkItemCount asks the server for curr_items and fails unless it holds want items: a set
// that was acknowledged and then evicted would otherwise surface only as misses in the runs.
func checkItemCount(server *MemcachedServer, want int64) error {
	conn, err := net.DialTimeout(server.Network(), server.Addr(), 5*time.Second)
	if err != nil {
		return err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(30 * time.Second))
	if _, err := conn.Write([]byte("stats\r\n")); err != nil {
		return err
	}
	rd := bufio.NewReader(conn)
	var have int64 = -1
	for {
		line, err := rd.ReadString('\n')
		if err != nil {
			return fmt.Errorf("stats: %w", err)
		}
		if line == "END\r\n" {
			break
		}
		var name string
		var value int64
		if n, _ := fmt.Sscanf(line, "STAT %s %d", &name, &value); n == 2 && name == "curr_items" {
			have = value
		}
	}
	if have != want {
		return fmt.Errorf("memcached holds %d items after %d were stored (evicted? lower recordcount)", have, want)
	}
	return nil
}
