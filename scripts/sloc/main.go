// Command sloc counts source lines the way the paper's code-size comparison needs: lines that
// hold code, not blank lines and not lines that hold only comments. It understands C, C headers,
// Go and Go assembly: // and /* */ comments, and string, character and Go raw-string literals
// (a "/*" inside a string is not a comment). A preprocessor line is code. Its figures match
// cloc's "code" column on ordinary sources; it exists so that scripts/codesize.sh needs nothing
// outside this repository and Go.
//
// Usage:
//
//	sloc [-label NAME] [-v] FILE...
//
// It prints "NAME: N code lines in F files" (and one line per file with -v). Exit status 2 for
// bad usage, 1 when a file cannot be read.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run counts the files named in args and prints the total.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sloc", flag.ContinueOnError)
	fs.SetOutput(stderr)
	label := fs.String("label", "total", "name printed before the count")
	verbose := fs.Bool("v", false, "print each file's count")
	if err := fs.Parse(args); err != nil || fs.NArg() == 0 {
		fmt.Fprintln(stderr, "usage: sloc [-label NAME] [-v] FILE...")
		return 2
	}
	total := 0
	for _, path := range fs.Args() {
		src, err := os.ReadFile(path)
		if err != nil {
			fmt.Fprintf(stderr, "sloc: %v\n", err)
			return 1
		}
		n := CodeLines(src, filepath.Ext(path) == ".go")
		if *verbose {
			fmt.Fprintf(stdout, "%7d %s\n", n, path)
		}
		total += n
	}
	fmt.Fprintf(stdout, "%s: %d code lines in %d files\n", *label, total, fs.NArg())
	return 0
}
