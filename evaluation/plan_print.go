package evaluation

import (
	"strings"
	"time"

	"github.com/plibcached/plibcached/harness"
)

// Assumed rates for the up-front time estimate (records or operations per second on a small
// machine); the run's own progress lines give the real ones.
const (
	assumedMemcachedLoadRate = 250_000 // pipelined sets
	assumedPlibLoadRate      = 700_000
	assumedGomapLoadRate     = 1_000_000
	assumedLatencyPreload    = 60_000 // one set per round trip, four connections
	pointOverhead            = 300 * time.Millisecond
)

// printPlan prints what will run, the decisions taken and a time estimate.
func (r *runner) printPlan() {
	m, c := r.manifest, r.cfg
	r.printf("plibcached evaluation %q: the paper's throughput figures (slide 14) and latency table (slide 15)\n", c.Name)
	r.printf("machine: %s, %s, %d cores, kernel %s, %s, %s, PKU %s\n", m.Env.Hostname, m.Env.CPUModel, m.Env.Cores,
		m.Env.Kernel, m.Env.GoVersion, orNone(m.Env.MemcachedVersion, "memcached not found"), yesNo(m.Env.PKU))
	if m.Records.Scaled {
		bang := strings.Repeat("!", 100)
		r.printf("%s\n!!! RECORD COUNT SCALED DOWN: %s records, not the paper's %s\n!!! why: %s\n%s\n",
			bang, commas(m.Records.Chosen), commas(PaperRecords), m.Records.Reason, bang)
		r.manifest.Warnings = append(r.manifest.Warnings, r.notes...)
	} else {
		r.printf("records: %s, the paper's count (fits: budget %s of MemAvailable %s)\n",
			commas(m.Records.Chosen), harness.FormatBytes(m.Records.Budget), harness.FormatBytes(m.Records.MemAvailable))
	}
	for _, e := range m.Records.Estimates {
		fits := "fits"
		if !e.Fits {
			fits = "DOES NOT FIT the budget"
		}
		r.printf("  memory estimate %-18s %10s  %s\n", e.System, harness.FormatBytes(e.Bytes), fits)
	}
	r.printf("threads: %s; %d runs of %s (after %s warm-up) per point; loads with %d threads\n",
		joinInts(r.threads), c.Repetitions, c.Duration, c.Warmup, r.loadThreads)
	if m.ThreadsNote != "" {
		r.printf("NOTE: %s\n", m.ThreadsNote)
		r.manifest.Warnings = append(r.manifest.Warnings, m.ThreadsNote)
	}
	var names []string
	for _, s := range r.manifest.Systems {
		if s.Skipped == "" {
			names = append(names, s.ID)
		} else {
			r.printf("SKIPPED %s: %s\n", s.ID, s.Skipped)
		}
	}
	r.printf("systems: %s\nmixes: ", strings.Join(names, ", "))
	for i, mix := range c.Mixes {
		if i > 0 {
			r.printf(", ")
		}
		r.printf("%s (%s)", mix.Name, mix.File)
	}
	r.printf("\nlatency table: %s, %s records, %d samples per cell\n", strings.Join(c.Latency.Backends, ", "),
		commas(c.Latency.Records), c.Latency.Samples)
	if sp := r.manifest.Split; sp != nil {
		var ids []string
		for _, s := range sp.Systems {
			if s.Skipped == "" {
				ids = append(ids, s.ID)
			}
		}
		r.printf("across processes: %s; threads %s each split over processes %s; %d run(s) per point\n",
			strings.Join(ids, ", "), joinInts(sp.Threads), joinInts(sp.Processes), sp.Repetitions)
	}
	r.printf("estimated time: %s (a rough guide; progress lines follow)\n", formatDuration(r.estimate()))
}

// estimate is a rough wall-time estimate of the whole run.
func (r *runner) estimate() time.Duration {
	c, n := r.cfg, float64(r.manifest.Records.Chosen)
	var total time.Duration
	perPoint := c.Warmup + c.Duration + pointOverhead
	for _, s := range r.manifest.Systems {
		if s.Skipped != "" {
			continue
		}
		rate := assumedGomapLoadRate
		switch s.Backend {
		case "memcached", "memcached-unix":
			rate = assumedMemcachedLoadRate
		case "plib-nopku", "plib-pku":
			rate = assumedPlibLoadRate
		}
		total += time.Duration(n / float64(rate) * float64(time.Second))
		total += time.Duration(len(c.Mixes)*len(r.threads)*c.Repetitions) * perPoint
	}
	if sp := r.manifest.Split; sp != nil {
		for _, s := range sp.Systems {
			if s.Skipped == "" {
				total += time.Duration(n / float64(assumedPlibLoadRate) * float64(time.Second))
				total += time.Duration(len(c.Mixes)*len(splitPairs(c.Split))*sp.Repetitions) * (perPoint + time.Second)
			}
		}
	}
	preload := float64(c.Latency.Records)*1.1 + float64(c.Latency.Samples*32)
	total += time.Duration(float64(len(c.Latency.Backends)) * preload / assumedLatencyPreload * float64(time.Second))
	return total
}

// yesNo renders a flag.
func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// orNone returns s, or none when s is empty.
func orNone(s, none string) string {
	if s == "" {
		return none
	}
	return s
}
