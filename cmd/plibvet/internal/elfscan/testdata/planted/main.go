// Command planted carries PKRU-writing byte patterns in assembly functions that never run, for
// elfscan's tests: the tests build it and check that the scanner finds every planted pattern,
// with the right kind and symbol, and nothing else. The calls below keep the linker from
// discarding the functions; no real command line has 100 arguments.
package main

import "os"

// Defined in planted_amd64.s.
func plantedWRPKRU()
func plantedXRSTOR()
func plantedXRSTOR64()
func plantedXRSTORS()
func plantedHidden()
func lookalikes()

func main() {
	if len(os.Args) > 99 {
		plantedWRPKRU()
		plantedXRSTOR()
		plantedXRSTOR64()
		plantedXRSTORS()
		plantedHidden()
		lookalikes()
	}
}
