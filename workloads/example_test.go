package workloads_test

import (
	"fmt"

	"github.com/plibcached/plibcached/workloads"
)

// A client thread of the paper's read-heavy workload: choose operations, name their keys,
// build and check values.
func Example() {
	props, warnings, err := workloads.LoadProperties([]string{"paper-readheavy"}, []string{"recordcount=1000"})
	if err != nil || len(warnings) > 0 {
		fmt.Println(err, warnings)
		return
	}
	w, err := workloads.NewCoreWorkload(props)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(string(w.KeyName(nil, 0)), w.MaxValueSize())

	th := w.NewThread(0, 1, 42)
	key := make([]byte, 0, w.MaxKeySize())
	value := make([]byte, 0, w.MaxValueSize())
	var reads, updates int
	for range 10_000 {
		op := th.Next()
		key = w.KeyName(key[:0], op.KeyNum)
		switch op.Type {
		case workloads.OpRead:
			reads++
		case workloads.OpUpdate:
			updates++
			value = th.Value(value[:0], key, 1)
			if err := workloads.VerifyValue(key, value); err != nil {
				fmt.Println(err)
			}
		}
	}
	fmt.Printf("%d reads, %d updates\n", reads, updates)

	value = w.LoadValue(value[:0], []byte("user1"), 1)
	fmt.Println(workloads.VerifyValue([]byte("user2"), value))
	// Output:
	// user6284781860667377211 128
	// 9488 reads, 512 updates
	// workloads: value belongs to another key: value's key hash "4228c671628ca359", key "user2" hashes to 4228c371628c9e40
}
