// Command plibctl checks and repairs a plibcached segment file offline.
//
//	plibctl check SEGMENT    report dead clients and held locks, then run the store's
//	                         invariant check (exit 1 if it finds a problem)
//	plibctl repair SEGMENT   repair and free every dead client's slot, then check
//	plibctl stats SEGMENT    print the store's statistics
//
// SEGMENT is a path, or a bare name under /dev/shm. The segment is never created or
// formatted. By default plibctl refuses a segment that another process has mapped (-online
// allows it: checking and repairing are safe while clients run, since Check holds every
// lock of the store, but the figures are then a moment's). A lock that a live process
// keeps for longer than -lock-timeout (a stopped one, say) ends check and repair with an
// error naming that process's pid and the lock, instead of a wait.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// run executes one plibctl command and returns the exit status: 0 on success, 1 when the
// segment has problems, 2 on bad usage or a segment that cannot be opened.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("plibctl", flag.ContinueOnError)
	fs.SetOutput(stderr)
	online := fs.Bool("online", false, "allow a segment that other processes have mapped")
	lockTimeout := fs.Duration("lock-timeout", 0, "give up on a lock a live process keeps this long (0: the store's default, 3s)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: plibctl [-online] [-lock-timeout D] check|repair|stats SEGMENT")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
		return 0
	} else if err != nil {
		return 2
	}
	if fs.NArg() != 2 {
		fs.Usage()
		return 2
	}
	cmd, path := fs.Arg(0), fs.Arg(1)
	var do func(*segment, io.Writer) (bool, error)
	switch cmd {
	case "check":
		do = check
	case "repair":
		do = repair
	case "stats":
		do = stats
	default:
		fmt.Fprintf(stderr, "plibctl: unknown command %q\n", cmd)
		fs.Usage()
		return 2
	}
	if *lockTimeout < 0 {
		fmt.Fprintf(stderr, "plibctl: -lock-timeout %v is negative\n", *lockTimeout)
		return 2
	}
	seg, err := openSegment(path, *online, *lockTimeout)
	if err != nil {
		fmt.Fprintf(stderr, "plibctl: %v\n", err)
		return 2
	}
	defer seg.close()
	ok, err := do(seg, stdout)
	if err != nil {
		fmt.Fprintf(stderr, "plibctl: %s %s: %v\n", cmd, path, err)
		return 1
	}
	if !ok {
		return 1
	}
	return 0
}
