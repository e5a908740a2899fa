package regress

import (
	"bytes"
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"
)

func TestCheckedInFloors(t *testing.T) {
	f, err := os.Open("floors.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	floors, err := ParseFloors(f)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"get128b-latency memcached/plib-pku >= 10",
		"get128b-latency plib-pku/plib-nopku <= 1.5",
		"readheavy-throughput-2t plib-pku/memcached >= 3",
	}
	var got []string
	for _, fl := range floors {
		got = append(got, fl.String())
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("floors.txt holds\n%s\nwant at least the issue's floors\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestParseFloorsRejects(t *testing.T) {
	for _, text := range []string{
		"",
		"# only a comment\n",
		"get128b-latency memcached/plib-pku >= 10 extra",
		"get128b-latency memcached >= 10",
		"get128b-latency memcached/memcached >= 10",
		"get128b-latency memcached/plib-pku > 10",
		"get128b-latency memcached/plib-pku >= -1",
		"get128b-latency memcached/plib-pku >= ten",
		"set-latency memcached/plib-pku >= 10",
	} {
		if _, err := ParseFloors(strings.NewReader(text)); !errors.Is(err, ErrFloors) {
			t.Errorf("ParseFloors(%q): err = %v, want ErrFloors", text, err)
		}
	}
}

func TestParseFloorsLineNumbersAndComments(t *testing.T) {
	floors, err := ParseFloors(strings.NewReader("# why\n\nreadheavy-throughput-2t plib-pku/memcached >= 3 # trailing\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(floors) != 1 || floors[0].Line != 3 || !floors[0].AtLeast || floors[0].Value != 3 {
		t.Errorf("parsed %+v", floors)
	}
}

// measured is a fake measurement: latency in ns, throughput in ops/s.
func measured(unavailable map[string]string) *Measurements {
	return &Measurements{
		Values: map[string]map[string]float64{
			MetricGetLatency: {"memcached": 40000, "plib-pku": 700, "plib-nopku": 500},
			MetricThroughput: {"memcached": 100000, "plib-pku": 250000, "plib-nopku": 2000000},
		},
		Unavailable: unavailable,
	}
}

func mustParse(t *testing.T, text string) []Floor {
	t.Helper()
	floors, err := ParseFloors(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	return floors
}

const issueFloors = `get128b-latency memcached/plib-pku >= 10
get128b-latency plib-pku/plib-nopku <= 1.5
readheavy-throughput-2t plib-pku/memcached >= 3
`

func TestEvaluateWithPKU(t *testing.T) {
	v := Evaluate(mustParse(t, issueFloors), measured(map[string]string{}))
	want := []struct {
		status string
		ratio  float64
	}{{Pass, 40000.0 / 700}, {Pass, 1.4}, {Fail, 2.5}}
	for i, w := range want {
		if v[i].Status != w.status || v[i].Ratio != w.ratio || len(v[i].Notes) != 0 {
			t.Errorf("floor %q: %s ratio %v notes %q; want %s %v, no notes", v[i].Floor, v[i].Status, v[i].Ratio, v[i].Notes, w.status, w.ratio)
		}
	}
}

func TestEvaluateWithoutPKU(t *testing.T) {
	m := measured(map[string]string{"plib-pku": "no PKU here"})
	delete(m.Values[MetricGetLatency], "plib-pku")
	delete(m.Values[MetricThroughput], "plib-pku")
	v := Evaluate(mustParse(t, issueFloors), m)
	if v[0].Status != Pass || v[0].Denominator != "plib-nopku" || v[0].Ratio != 80 || !strings.HasPrefix(v[0].Notes[0], "SUBSTITUTE: plib-nopku for plib-pku (no PKU here)") {
		t.Errorf("latency floor without PKU: %+v; want PASS over the plib-nopku stand-in, said", v[0])
	}
	if v[1].Status != Skipped || !strings.Contains(v[1].Notes[0], "no PKU: no PKU here") {
		t.Errorf("PKU/no-PKU floor without PKU: %+v; want SKIPPED saying no PKU and why", v[1])
	}
	if v[2].Status != Pass || v[2].Numerator != "plib-nopku" || v[2].Ratio != 20 {
		t.Errorf("throughput floor without PKU: %+v; want PASS with plib-nopku standing in", v[2])
	}
}

func TestEvaluateSkipsWithoutStandIn(t *testing.T) {
	m := measured(map[string]string{"memcached": "memcached not found"})
	v := Evaluate(mustParse(t, "get128b-latency memcached/plib-pku >= 10\n"), m)
	if v[0].Status != Skipped || !strings.Contains(v[0].Notes[0], "memcached not found") {
		t.Errorf("%+v; want SKIPPED with the reason", v[0])
	}
}

func TestReportFailureShowsRatioAndFloor(t *testing.T) {
	floors := mustParse(t, issueFloors)
	m := measured(map[string]string{})
	var out bytes.Buffer
	if failed := Report(&out, Evaluate(floors, m), m); failed != 1 {
		t.Errorf("Report counted %d failures, want 1", failed)
	}
	for _, want := range []string{
		"FAIL     readheavy-throughput-2t plib-pku/memcached >= 3",
		"measured ratio 2.50 (plib-pku/memcached), floor >= 3",
		"PASS     get128b-latency plib-pku/plib-nopku <= 1.5",
		"regress: 2 passed, 1 failed, 0 skipped",
		"memcached 40.000 µs",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}

// TestMeasureInProcessBackends measures real, in-process backends briefly: every floor's figures
// are measured, and a backend that cannot run becomes unavailable rather than an error.
func TestMeasureInProcessBackends(t *testing.T) {
	floors := mustParse(t, "readheavy-throughput-2t plib-nopku/gomap >= 0.001\nget128b-latency gomap/plib-nopku <= 1000\nget128b-latency plib-pku/gomap <= 1000\n")
	m, err := Measure(context.Background(), floors, Options{Records: 2000, Duration: 100 * time.Millisecond,
		Warmup: 10 * time.Millisecond, LatencyRecords: 500, LatencySamples: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, metric := range []string{MetricGetLatency, MetricThroughput} {
		for _, b := range []string{"gomap", "plib-nopku"} {
			if v, ok := m.value(metric, b); !ok {
				t.Errorf("%s of %s not measured (%v)", metric, b, v)
			}
		}
	}
	if _, bad := m.Unavailable["plib-pku"]; !bad && !m.Env.PKU {
		t.Errorf("plib-pku neither unavailable nor PKU present")
	}
	for _, v := range Evaluate(floors, m) {
		if v.Status == Fail {
			t.Errorf("%s failed with ratio %v", v.Floor, v.Ratio)
		}
	}
}
