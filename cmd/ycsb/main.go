package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/plibcached/plibcached/harness"
)

// Exit statuses.
const (
	exitOK          = 0
	exitFailed      = 1
	exitUsage       = 2
	exitInterrupted = 130
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run parses args, runs the command, and returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	opts, err := parseArgs(args, stderr)
	if errors.Is(err, errHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "ycsb: %v\n", err)
		return exitUsage
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		stop() // a second Ctrl-C kills at once; the server dies with us (Pdeathsig)
	}()
	err = execute(ctx, opts, stdout, stderr)
	switch {
	case err == nil:
		return exitOK
	case ctx.Err() != nil:
		fmt.Fprintf(stderr, "ycsb: interrupted: %v\n", err)
		return exitInterrupted
	case errors.Is(err, harness.ErrUnknownBackend), errors.Is(err, harness.ErrInvalidOptions), errors.Is(err, harness.ErrUnsupportedOp):
		fmt.Fprintf(stderr, "ycsb: %v\n", err)
		return exitUsage
	}
	fmt.Fprintf(stderr, "ycsb: %v\n", err)
	return exitFailed
}
