// Command plibvet checks built binaries for stray PKRU writes, as ERIM and Hodor do: it reports
// every WRPKRU, XRSTOR(64) and XRSTORS(64) byte pattern in a binary's executable memory, at any
// byte offset, outside the functions allowed to contain one (plib's pkey.wrpkru, plus -allow).
//
// Usage:
//
//	go run ./cmd/plibvet [-v] [-allow-unaligned] [-allow SYMBOL]... BINARY...
//
// Each stray pattern is printed as "BINARY: KIND at VADDR (file offset OFF) in SYMBOL+OFF
// [SECTION]". Exit status: 0 no stray pattern, 1 stray patterns found, 2 usage or I/O error
// (including a file that is not an x86 ELF binary).
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/plibcached/plibcached/cmd/plibvet/internal/elfscan"
)

// Exit statuses.
const (
	exitClean = 0
	exitStray = 1
	exitError = 2
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

// options are the parsed command line.
type options struct {
	allow     []string
	unaligned bool
	verbose   bool
	binaries  []string
}

// run is the whole command, minus os.Exit.
func run(args []string, stdout, stderr io.Writer) int {
	opts, err := parseFlags(args, stderr)
	if err != nil {
		return exitError
	}
	status := exitClean
	for _, path := range opts.binaries {
		findings, err := elfscan.ScanFile(path, elfscan.Options{Allow: opts.allow, AllowUnaligned: opts.unaligned})
		if err != nil {
			fmt.Fprintf(stderr, "plibvet: %v\n", err)
			status = exitError
			continue
		}
		for _, f := range findings {
			if !f.IsStray() && !opts.verbose {
				continue
			}
			fmt.Fprintf(stdout, "%s: %s\n", path, f)
			if f.IsStray() && status == exitClean {
				status = exitStray
			}
		}
	}
	return status
}

// parseFlags parses args; on error it has already printed the reason and usage to stderr.
func parseFlags(args []string, stderr io.Writer) (options, error) {
	fs := flag.NewFlagSet("plibvet", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: plibvet [-v] [-allow-unaligned] [-allow SYMBOL]... BINARY...\n")
		fs.PrintDefaults()
	}
	opts := options{allow: append([]string(nil), elfscan.DefaultAllow...)}
	fs.Func("allow", "also allow patterns inside function `SYMBOL` (repeatable; "+
		strings.Join(elfscan.DefaultAllow, ", ")+" is always allowed)", func(s string) error {
		opts.allow = append(opts.allow, s)
		return nil
	})
	fs.BoolVar(&opts.unaligned, "allow-unaligned", false, "also allow patterns that lie strictly inside another instruction of their function (decoded from its start)")
	fs.BoolVar(&opts.verbose, "v", false, "also print allowed patterns")
	if err := fs.Parse(args); err != nil {
		return opts, err
	}
	opts.binaries = fs.Args()
	if len(opts.binaries) == 0 {
		fs.Usage()
		return opts, errors.New("no binary given")
	}
	return opts, nil
}
