// Command regress is `make regress`: it measures, in one process and in well under two minutes,
// the ratios the paper's claims rest on and fails when one falls below its floor.
//
// Usage:
//
//	regress [-floors regress/floors.txt] [-records 100000] [-duration 3s]
//
// It prints every measured figure, then one line per floor: PASS or FAIL with the measured ratio,
// the figures of both its sides (kops/s, or µs) and the floor, SUBSTITUTE where a stand-in was
// measured (plib-nopku for plib-pku on a machine without PKU, at the same thread count), SKIPPED
// with the reason where the ratio cannot be measured here. Exit status: 0
// when no floor fails, 1 when one does or measuring fails, 2 for bad usage or a bad floors file.
package main
