package main

import (
	"fmt"
	"strconv"
	"strings"
)

// memcached's bounds on -I (ITEM_SIZE_MAX_LOWER_LIMIT, ITEM_SIZE_MAX_UPPER_LIMIT).
const (
	itemSizeMaxLower = 1024
	itemSizeMaxUpper = 1 << 30
)

// itemSizeFlag is -max-item-size: a byte count with memcached's optional k or m suffix
// (-I 512k, -I 32m).
type itemSizeFlag int

func (f *itemSizeFlag) String() string { return strconv.Itoa(int(*f)) }

// Set parses as memcached's -I does: a k/K or m/M suffix multiplies by 1024 or 1024².
func (f *itemSizeFlag) Set(s string) error {
	mult := 1
	switch {
	case strings.HasSuffix(s, "k"), strings.HasSuffix(s, "K"):
		mult, s = 1<<10, s[:len(s)-1]
	case strings.HasSuffix(s, "m"), strings.HasSuffix(s, "M"):
		mult, s = 1<<20, s[:len(s)-1]
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return fmt.Errorf("not a size: %q", s)
	}
	*f = itemSizeFlag(n * mult)
	return nil
}

// checkItemSize refuses what memcached refuses at start-up: an item size limit under
// 1 KiB, over half the memory, or over a gigabyte. memory is the segment's size in bytes.
func checkItemSize(size int, memory int64) error {
	switch {
	case size < itemSizeMaxLower:
		return fmt.Errorf("plibd: item max size cannot be less than %d bytes", itemSizeMaxLower)
	case int64(size) > memory/2:
		return fmt.Errorf("plibd: cannot set item size limit higher than 1/2 of memory max")
	case size > itemSizeMaxUpper:
		return fmt.Errorf("plibd: cannot set item size limit higher than a gigabyte")
	}
	return nil
}
