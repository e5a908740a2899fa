package evaluation

import "errors"

// Sentinel errors; functions wrap them with the detail.
var (
	// ErrConfig is returned for a configuration that cannot run.
	ErrConfig = errors.New("evaluation: invalid configuration")
	// ErrNoMemory is returned when not even the smallest record count fits in memory.
	ErrNoMemory = errors.New("evaluation: not enough memory for the smallest record count")
	// ErrNoResults is returned when a results directory holds nothing to tabulate or plot.
	ErrNoResults = errors.New("evaluation: no results")
)
