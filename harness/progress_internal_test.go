package harness

import (
	"bytes"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestProgressBarOnTerminal drives the terminal display (progressbar) into a buffer: it shows
// the phase, the count against the total and the unit, and ends with the plain "done" line.
func TestProgressBarOnTerminal(t *testing.T) {
	var buf bytes.Buffer
	var n atomic.Int64
	p := newProgress(&buf, 0, "load", "records", 1000, 0, n.Load)
	p.tty, p.interval, p.bar = true, 10*time.Millisecond, newBar(&buf, "load", "records", 1000)
	p.begin(time.Now())
	for range 10 {
		n.Add(100)
		time.Sleep(5 * time.Millisecond)
	}
	p.finish(true)
	out := buf.String()
	for _, want := range []string{"load", "1000/1000", "records", "load: done, 1000 records in "} {
		if !strings.Contains(out, want) {
			t.Errorf("terminal progress lacks %q: %q", want, out)
		}
	}
	if !strings.Contains(out, "\r") {
		t.Errorf("terminal progress does not redraw in place: %q", out)
	}
}

// TestProgressTimeBounded: a phase bounded by time has no total; the bar counts and says the
// warm-up.
func TestProgressTimeBounded(t *testing.T) {
	var buf bytes.Buffer
	var n atomic.Int64
	p := newProgress(&buf, 0, "run", "ops", 0, time.Second, n.Load)
	p.tty, p.interval, p.bar = true, 5*time.Millisecond, newBar(&buf, "run", "ops", 0)
	p.begin(time.Now().Add(30 * time.Millisecond))
	time.Sleep(20 * time.Millisecond)
	n.Add(500)
	p.begin(time.Now())
	n.Add(42)
	time.Sleep(20 * time.Millisecond)
	p.finish(true)
	out := buf.String()
	for _, want := range []string{"warming up", "run: done, 42 ops in "} {
		if !strings.Contains(out, want) {
			t.Errorf("time-bounded progress lacks %q: %q", want, out)
		}
	}
}
