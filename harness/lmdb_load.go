//go:build cgo

package harness

import (
	"context"
	"fmt"
	"sync/atomic"

	"github.com/PowerDNS/lmdb-go/lmdb"
)

// batchLoad loads LMDB pipelineDepth records per write transaction (one commit per batch rather
// than per record); the count of entries is checked afterwards.
func (be *lmdbBackend) batchLoad(b *Benchmark) (loadFunc, func(int64) error, bool) {
	load := func(ctx context.Context, start, end int64, sent *atomic.Int64) error {
		var key, value []byte
		for next := start; next < end; {
			if err := ctx.Err(); err != nil {
				return err
			}
			batch := min(end-next, pipelineDepth)
			err := be.env.Update(func(txn *lmdb.Txn) error {
				for keynum := next; keynum < next+batch; keynum++ {
					key = b.workload.KeyName(key[:0], keynum)
					value = b.workload.LoadValue(value[:0], key, 0)
					if err := txn.Put(be.dbi, key, value, 0); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				return err
			}
			next += batch
			sent.Add(batch)
		}
		return nil
	}
	check := func(total int64) error {
		var st *lmdb.Stat
		err := be.env.View(func(txn *lmdb.Txn) (err error) { st, err = txn.Stat(be.dbi); return err })
		if err != nil {
			return err
		}
		if int64(st.Entries) != total {
			return fmt.Errorf("lmdb holds %d entries after %d were stored", st.Entries, total)
		}
		return nil
	}
	return load, check, true
}
