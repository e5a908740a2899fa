package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"

	"github.com/plibcached/plibcached/evaluation"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// runList collects repeated -run flags.
type runList []string

// String implements flag.Value.
func (r *runList) String() string { return fmt.Sprint(*r) }

// Set implements flag.Value: each -run adds a run.
func (r *runList) Set(s string) error { *r = append(*r, s); return nil }

// run parses args, regenerates each run's tables and figures and returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("plots", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var runs runList
	fs.Var(&runs, "run", "run to regenerate (repeatable; default: every run under -results)")
	resultsRoot := fs.String("results", "results", "results directory")
	plotsRoot := fs.String("plots", "plots", "figures directory")
	if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
		return 0
	} else if err != nil || fs.NArg() > 0 {
		fmt.Fprintf(stderr, "plots: bad usage (%v %q)\n", err, fs.Args())
		return 2
	}
	if len(runs) == 0 {
		runs = findRuns(*resultsRoot)
		if len(runs) == 0 {
			fmt.Fprintf(stderr, "plots: no runs under %s (run make reproduce-quick first)\n", *resultsRoot)
			return 1
		}
	}
	for _, name := range runs {
		if err := regenerate(filepath.Join(*resultsRoot, name), filepath.Join(*plotsRoot, name), stdout); err != nil {
			fmt.Fprintf(stderr, "plots: %s: %v\n", name, err)
			return 1
		}
	}
	return 0
}

// regenerate renders one run's tables and figures from its files.
func regenerate(resultsDir, plotsDir string, stdout io.Writer) error {
	ds, err := evaluation.LoadDataset(resultsDir)
	if err != nil {
		return err
	}
	tables, err := evaluation.WriteTables(ds, resultsDir)
	if err != nil {
		return err
	}
	figures, err := evaluation.RenderPlots(ds, plotsDir)
	if err != nil {
		return err
	}
	for _, p := range append(tables, figures...) {
		fmt.Fprintln(stdout, p)
	}
	return nil
}

// findRuns lists the directories under root that hold a run.
func findRuns(root string) []string {
	entries, _ := os.ReadDir(root)
	var runs []string
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		dir := filepath.Join(root, e.Name())
		for _, marker := range []string{evaluation.ManifestFile, evaluation.ThroughputDir, evaluation.LatencyDir} {
			if _, err := os.Stat(filepath.Join(dir, marker)); err == nil {
				runs = append(runs, e.Name())
				break
			}
		}
	}
	sort.Strings(runs)
	return runs
}
