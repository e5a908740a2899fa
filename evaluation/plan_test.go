package evaluation

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestPlanThreadsCapsAtTwiceTheCores(t *testing.T) {
	threads, note := planThreads(nil, 2)
	if !reflect.DeepEqual(threads, []int{1, 2, 4}) || !strings.Contains(note, "contention, not scaling") || !strings.Contains(note, "2 cores") {
		t.Errorf("2 cores: %v, %q; want 1,2,4 and a note saying why", threads, note)
	}
	threads, note = planThreads(nil, 40)
	if !reflect.DeepEqual(threads, PaperThreads) || note != "" {
		t.Errorf("40 cores: %v, %q; want the paper's list and no note", threads, note)
	}
	threads, note = planThreads([]int{1, 8, 40}, 2)
	if !reflect.DeepEqual(threads, []int{1, 8, 40}) || !strings.Contains(note, "threads 8, 40 exceed") {
		t.Errorf("explicit list on 2 cores: %v, %q; want it kept, with 8 and 40 flagged", threads, note)
	}
}

// withMemory runs f with the machine's memory stubbed.
func withMemory(t *testing.T, avail, shm int64) {
	t.Helper()
	saved := machineMemory
	machineMemory = func() (int64, int64) { return avail, shm }
	t.Cleanup(func() { machineMemory = saved })
}

func TestPlanRecordsPaperCountWhenItFits(t *testing.T) {
	withMemory(t, 64<<30, 64<<30)
	plan, err := planRecords(Full(), 8)
	if err != nil || plan.Chosen != PaperRecords || plan.Scaled || plan.Reason != "" {
		t.Fatalf("64 GiB: %+v, %v; want the paper's 40M, not scaled", plan, err)
	}
	if len(plan.Estimates) != len(Full().Systems) {
		t.Errorf("estimates %+v; want one per system", plan.Estimates)
	}
}

func TestPlanRecordsScalesDownAndSaysWhy(t *testing.T) {
	withMemory(t, 8<<30, 8<<30)
	plan, err := planRecords(Full(), 8)
	if err != nil {
		t.Fatal(err)
	}
	if !plan.Scaled || plan.Chosen >= PaperRecords || plan.Chosen < 1_000_000 {
		t.Errorf("8 GiB: chose %d; want a scaled-down round figure", plan.Chosen)
	}
	if !strings.Contains(plan.Reason, "40,000,000") || !strings.Contains(plan.Reason, "budget") {
		t.Errorf("reason %q does not explain the scaling", plan.Reason)
	}
	for i, e := range plan.Estimates {
		if !Full().Systems[i].Context && !e.Fits {
			t.Errorf("%s does not fit at the chosen count: %+v", e.System, e)
		}
	}
	withMemory(t, 8<<20, 8<<20)
	if _, err := planRecords(Full(), 8); !errors.Is(err, ErrNoMemory) {
		t.Errorf("8 MiB: err = %v, want ErrNoMemory", err)
	}
}

func TestPlanRecordsConfigured(t *testing.T) {
	withMemory(t, 64<<30, 64<<30)
	plan, err := planRecords(Quick(), 8)
	if err != nil || plan.Chosen != 1_000_000 || !plan.Scaled || !strings.Contains(plan.Reason, "quick") {
		t.Errorf("quick: %+v, %v; want 1M, scaled, with the quick run's reason", plan, err)
	}
}

func TestConfigValidate(t *testing.T) {
	bad := []func(*Config){
		func(c *Config) { c.Name = "../x" },
		func(c *Config) { c.Repetitions = 0 },
		func(c *Config) { c.Duration = 0 },
		func(c *Config) { c.Threads = []int{1, 0} },
		func(c *Config) { c.Systems = append(c.Systems, c.Systems[0]) },
		func(c *Config) { c.Mixes = nil },
	}
	for i, mutate := range bad {
		c := Quick()
		mutate(&c)
		if err := c.validate(); !errors.Is(err, ErrConfig) {
			t.Errorf("case %d: validate = %v, want ErrConfig", i, err)
		}
	}
	if err := Full().validate(); err != nil {
		t.Errorf("Full: %v", err)
	}
}

func TestFormatting(t *testing.T) {
	cases := map[string]string{commas(40000000): "40,000,000", commas(999): "999", shortCount(40_000_000): "40M",
		shortCount(500_000): "500k", shortCount(1_500_000): "1.5M", slug("Get 128B"): "get-128b"}
	for got, want := range cases {
		if got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
}
