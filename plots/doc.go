// Package plots draws the paper's figures from measured data with gonum.org/v1/plot: throughput
// against client threads, one line per system with error bars from repeated runs (the paper's
// slide 14), and latency per operation on a logarithmic axis (its slide 15 table, as charts).
//
// It sits at the end of the evaluation pipeline:
//
//	cmd/reproduce   runs the evaluation and writes raw results into results/<run>/
//	cmd/plots       reads results/<run>/ (package evaluation) and calls this package
//	plots           figure data -> *plot.Plot -> PNG and SVG files
//
// The package knows nothing of the harness or of result files: it takes plain figure data
// (ThroughputFigure, LatencyFigure, LatencyOverview) so that it can be tested on a small golden
// data set (testdata/figures.json) against golden images; `go test ./plots -regen` rewrites the
// golden images after an intended change of style. No figure is ever edited by hand.
//
// # Caveats
//
// PNG output is compared pixel for pixel: gonum renders text with its own embedded Liberation
// fonts, so the images do not depend on fonts installed on the machine, but a gonum upgrade may
// move a pixel and need -regen. Logarithmic axes need positive values: a latency of 0 (a
// skipped system) is left out of a chart rather than drawn.
package plots
