package torture

import (
	"encoding/json"
	"fmt"
	"os"
)

// envChild names the environment variable that carries a child's spec (JSON). A process
// started with it is a torture child: a worker or the final checker.
const envChild = "PLIBCACHED_TORTURE_CHILD"

// ChildMain makes this process a torture child if it was started as one: it runs the child
// and exits. Otherwise it returns at once. The binary that Run re-executes (cmd/torture's
// main, or a test binary's TestMain) must call it before anything else.
func ChildMain() {
	js := os.Getenv(envChild)
	if js == "" {
		return
	}
	var sp spec
	if err := json.Unmarshal([]byte(js), &sp); err != nil {
		fmt.Fprintf(os.Stderr, "FAIL torture child: bad spec: %v\n", err)
		os.Exit(3)
	}
	switch sp.Role {
	case "worker":
		os.Exit(runWorker(sp))
	case "final":
		os.Exit(runFinal(sp))
	}
	fmt.Fprintf(os.Stderr, "FAIL torture child: unknown role %q\n", sp.Role)
	os.Exit(3)
}
