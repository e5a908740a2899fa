package evaluation

import (
	"fmt"
	"strings"
)

// oversubscription is how many client threads per core a default sweep goes to: past twice the
// cores a point measures contention and scheduling, not scaling (harness.OversubscriptionWarning
// draws the same line).
const oversubscription = 2

// planThreads returns the sweep and a note saying how it relates to the paper's: the configured
// list, or PaperThreads up to twice the cores.
func planThreads(configured []int, cores int) (threads []int, note string) {
	limit := oversubscription * cores
	if len(configured) > 0 {
		var over []string
		for _, t := range configured {
			if t > limit {
				over = append(over, fmt.Sprint(t))
			}
		}
		if len(over) > 0 {
			note = fmt.Sprintf("threads %s exceed %d× the %d cores: those points measure contention and scheduling, not scaling (the paper ran 1–40 threads on 40 hardware threads)",
				strings.Join(over, ", "), oversubscription, cores)
		}
		return configured, note
	}
	for _, t := range PaperThreads {
		if t <= limit {
			threads = append(threads, t)
		}
	}
	if len(threads) < len(PaperThreads) {
		note = fmt.Sprintf("the paper swept %s client threads on 40 hardware threads; this machine has %d cores, so the sweep stops at %d threads (%d× the cores): beyond %d threads on %d cores a point measures contention, not scaling. -threads %s runs the paper's full list",
			joinInts(PaperThreads), cores, threads[len(threads)-1], oversubscription, limit, cores, joinInts(PaperThreads))
	}
	return threads, note
}

// joinInts renders a list as "1,2,4".
func joinInts(list []int) string {
	parts := make([]string, len(list))
	for i, n := range list {
		parts[i] = fmt.Sprint(n)
	}
	return strings.Join(parts, ",")
}
