package harness

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Memory accounting for memcached, in bytes. An item costs its header (48 B, plus 8 B of CAS),
// the key and its NUL, the value and its "\r\n", and the rounding up to its slab class's chunk
// size: classes grow by a factor of 1.25, so up to 25% of a chunk can be slack.
const (
	memcachedItemOverhead = 56 + 1 + 2 + 8 // header+CAS, key NUL, "\r\n", client flags
	memcachedSlabSlack    = 1.25
	memcachedHeadroom     = 1.10     // pages half-filled per slab class, LRU crawler, etc.
	memcachedMinMemory    = 64 << 20 // memcached's own default -m
	memcachedBaseRSS      = 32 << 20 // threads, connection buffers, stats
	hashBucketBytes       = 8        // memcached's hash table lives outside -m: 8 B per bucket
	gomapEntryOverhead    = 128      // map slot, value box, control byte, load factor, allocator rounding
	gomapHeadroom         = 1.5      // the Go heap grows past the live set before collecting
	memorySafetyFraction  = 0.9      // never plan to use the last tenth of MemAvailable
)

// MemcachedMemoryMB returns the -m value for n records of at most keySize + valueSize bytes.
func MemcachedMemoryMB(n int64, keySize, valueSize int) int64 {
	perItem := float64(memcachedItemOverhead+keySize+valueSize) * memcachedSlabSlack
	bytes := int64(float64(n)*perItem*memcachedHeadroom) + 1
	bytes = max(bytes, memcachedMinMemory)
	return (bytes + 1<<20 - 1) >> 20
}

// MemcachedFootprint returns the resident size expected of a memcached started with memoryMB for
// n records: the item memory, the hash table (up to two buckets per item while it grows) and a
// fixed base.
func MemcachedFootprint(memoryMB, n int64) int64 {
	return memoryMB<<20 + 2*hashBucketBytes*n + memcachedBaseRSS
}

// GomapFootprint estimates the Go heap needed for n records in the gomap backend.
func GomapFootprint(n int64, keySize, valueSize int) int64 {
	return int64(float64(n) * float64(keySize+valueSize+gomapEntryOverhead) * gomapHeadroom)
}

// MemAvailable returns the kernel's estimate of memory available for new allocations
// (MemAvailable in /proc/meminfo), in bytes.
func MemAvailable() (int64, error) {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) >= 2 && fields[0] == "MemAvailable:" {
			kb, err := strconv.ParseInt(fields[1], 10, 64)
			if err != nil {
				return 0, fmt.Errorf("/proc/meminfo: %w", err)
			}
			return kb << 10, nil
		}
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, fmt.Errorf("/proc/meminfo: no MemAvailable line")
}

// CheckMemory refuses a plan that needs more than nine tenths of MemAvailable. what names the
// consumer and the arithmetic behind need, for the error message. Where /proc/meminfo cannot be
// read the check passes: it guards against a mistake, it is not an accounting system.
func CheckMemory(what string, need int64) error {
	avail, err := MemAvailable()
	if err != nil {
		return nil
	}
	if float64(need) > float64(avail)*memorySafetyFraction {
		return fmt.Errorf("%w: %s needs an estimated %s but only %s is available (MemAvailable); lower recordcount or the value size",
			ErrInsufficientMemory, what, FormatBytes(need), FormatBytes(avail))
	}
	return nil
}

// FormatBytes renders n bytes in binary units with one decimal: "512 B", "9.7 GiB".
func FormatBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return strconv.FormatInt(n, 10) + " B"
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
