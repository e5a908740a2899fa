//go:build !cgo

package harness

import (
	"fmt"
	"os"
)

func init() {
	Register("lmdb", openLMDB, "LMDB (PowerDNS/lmdb-go): needs cgo, which this build lacks")
}

// LMDBFootprint is 0 in a build without cgo, where LMDB is unavailable.
func LMDBFootprint(n int64, keySize, valueSize int) int64 { return 0 }

// openLMDB reports LMDB unavailable: its binding is cgo, and this binary was built without it.
func openLMDB(Config) (Backend, error) {
	return nil, fmt.Errorf("%w: lmdb: this binary was built without cgo (CGO_ENABLED=0 or no C compiler); install gcc and rebuild", ErrUnavailable)
}

// RemoveLMDB removes a shared environment's files: the data file at path and its lock file.
func RemoveLMDB(path string) error {
	os.Remove(path + "-lock")
	return os.Remove(path)
}
