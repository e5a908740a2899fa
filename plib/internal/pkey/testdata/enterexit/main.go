// Command enterexit is a minimal program around plib's trampoline instructions, for
// cmd/plibvet's tests: it links package pkey and calls Enter and Exit (only when given an
// argument and PKU is available), so its binary holds exactly the one allowed WRPKRU, inside
// pkey.wrpkru. The tests build it and scan it; nothing runs it.
package main

import (
	"fmt"
	"os"
	"runtime"

	"github.com/plibcached/plibcached/plib/internal/pkey"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Println(pkey.Supported())
		return
	}
	runtime.LockOSThread()
	k, err := pkey.Alloc()
	if err != nil {
		fmt.Println(err)
		return
	}
	pkey.Enter(k)
	pkey.Exit(k)
	fmt.Printf("%#x\n", pkey.PKRU())
}
