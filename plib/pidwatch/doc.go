// Package pidwatch calls a function when a process exits, by watching a pidfd (Linux 5.3
// and later). It works for any process in the caller's pid namespace, not only its
// children, and a pidfd names one process for good: a pid reused after the process exits
// is not mistaken for it.
//
// Each watched pidfd waits in the Go runtime's poller (no thread blocks), on a goroutine
// of its own that runs the function when the pidfd turns readable, which the kernel
// reports as soon as the process has exited: possibly before its parent has reaped it, so
// /proc/PID may still show a zombie when the function runs.
package pidwatch
