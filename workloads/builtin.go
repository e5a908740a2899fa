package workloads

import (
	"embed"
	"fmt"
)

// builtinFS holds the property files of this directory: YCSB's workloads A to F and the
// paper's two.
//
//go:embed workloada workloadb workloadc workloadd workloade workloadf paper-readheavy paper-writeheavy
var builtinFS embed.FS

// BuiltinNames lists the workloads built into the package, in order: "workloada" …
// "workloadf" (YCSB's), then "paper-readheavy" and "paper-writeheavy" (the paper's).
func BuiltinNames() []string {
	return []string{"workloada", "workloadb", "workloadc", "workloadd", "workloade", "workloadf",
		"paper-readheavy", "paper-writeheavy"}
}

// Builtin returns the text of the built-in property file name (see BuiltinNames).
// LoadProperties falls back to it for a -P name not found on disk.
func Builtin(name string) ([]byte, error) {
	b, err := builtinFS.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("%w: no built-in workload %q", ErrBadProperty, name)
	}
	return b, nil
}
