package harness

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/sys/unix"
)

// progress shows a phase's advance: on a terminal a github.com/schollz/progressbar bar (count,
// rate, ETA) updated four times a second, otherwise one plain line per interval (logs and CI stay
// readable). A nil *progress shows nothing.
type progress struct {
	w        io.Writer
	tty      bool
	interval time.Duration
	phase    string
	unit     string
	total    int64         // operations expected; 0 when bounded by time
	limit    time.Duration // time bound; 0 when bounded by count
	count    func() int64

	mu       sync.Mutex
	started  bool
	measure  time.Time // measurement start; in the future during warm-up
	baseline int64     // count at measurement start
	stopped  chan struct{}
	exited   chan struct{}
	bar      *progressbar.ProgressBar // terminal only
}

// newProgress returns a display for a phase, or nil when Options.Progress is nil.
func (b *Benchmark) newProgress(phase, unit string, total int64, limit time.Duration, count func() int64) *progress {
	return newProgress(b.opts.Progress, b.opts.ProgressInterval, phase, unit, total, limit, count)
}

// newProgress returns a display on w (nil: none) of count() against total operations, or against
// limit in time when total is 0. interval applies when w is not a terminal (0: 10 s).
func newProgress(w io.Writer, interval time.Duration, phase, unit string, total int64, limit time.Duration, count func() int64) *progress {
	if w == nil {
		return nil
	}
	p := &progress{w: w, tty: isTerminal(w), interval: interval,
		phase: phase, unit: unit, total: total, limit: limit, count: count,
		stopped: make(chan struct{}), exited: make(chan struct{})}
	if p.tty {
		p.interval = 250 * time.Millisecond
		p.bar = newBar(w, phase, unit, total)
	} else if p.interval <= 0 {
		p.interval = 10 * time.Second
	}
	return p
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	_, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	return err == nil
}

// begin marks when measurement starts (in the future while warming up) and starts the display.
func (p *progress) begin(measure time.Time) {
	if p == nil {
		return
	}
	p.mu.Lock()
	p.measure = measure
	if !time.Now().Before(measure) || !p.started {
		p.baseline = p.count()
	}
	first := !p.started
	p.started = true
	p.mu.Unlock()
	if first {
		go p.loop()
	}
}

// loop redraws until finish.
func (p *progress) loop() {
	defer close(p.exited)
	tick := time.NewTicker(p.interval)
	defer tick.Stop()
	for {
		select {
		case <-p.stopped:
			return
		case <-tick.C:
			p.draw(false)
		}
	}
}

// finish stops the display and prints the final state.
func (p *progress) finish(ok bool) {
	if p == nil || !p.started {
		return
	}
	close(p.stopped)
	<-p.exited
	switch {
	case p.tty && ok:
		p.draw(false)
		p.bar.Finish()
		fmt.Fprintln(p.w)
		p.drawLine(true)
	case p.tty:
		p.bar.Exit()
		fmt.Fprintln(p.w)
	case ok:
		p.drawLine(true)
	}
}

// newBar is the terminal's bar: against total operations, or a running count with its rate when
// the phase is bounded by time (total 0).
func newBar(w io.Writer, phase, unit string, total int64) *progressbar.ProgressBar {
	max := total
	if max <= 0 {
		max = -1
	}
	return progressbar.NewOptions64(max, progressbar.OptionSetWriter(w), progressbar.OptionSetDescription(phase),
		progressbar.OptionSetWidth(24), progressbar.OptionShowCount(), progressbar.OptionShowIts(),
		progressbar.OptionSetItsString(unit), progressbar.OptionSetPredictTime(true), progressbar.OptionThrottle(0),
		progressbar.OptionUseANSICodes(true), progressbar.OptionSetRenderBlankState(true))
}

// draw shows one update: the bar's state on a terminal, else a plain line.
func (p *progress) draw(final bool) {
	if !p.tty {
		p.drawLine(final)
		return
	}
	p.mu.Lock()
	measure, baseline := p.measure, p.baseline
	p.mu.Unlock()
	if now := time.Now(); now.Before(measure) {
		p.bar.Describe(fmt.Sprintf("%s: warming up, %s left", p.phase, formatSeconds(measure.Sub(now))))
		return
	}
	p.bar.Describe(p.phase)
	p.bar.Set64(p.count() - baseline)
}

// drawLine prints one plain line: warming up, or the status.
func (p *progress) drawLine(final bool) {
	p.mu.Lock()
	measure, baseline := p.measure, p.baseline
	p.mu.Unlock()
	now := time.Now()
	if now.Before(measure) {
		fmt.Fprintf(p.w, "%s: warming up, %s left\n", p.phase, formatSeconds(measure.Sub(now)))
		return
	}
	fmt.Fprintln(p.w, p.status(now.Sub(measure), p.count()-baseline, final))
}

// status is the text of one update: done, rate, and the fraction and ETA where they are known.
func (p *progress) status(elapsed time.Duration, done int64, final bool) string {
	rate := 0.0
	if elapsed > 0 {
		rate = float64(done) / elapsed.Seconds()
	}
	if final {
		return fmt.Sprintf("%s: done, %d %s in %s (%s %s/s)", p.phase, done, p.unit, formatSeconds(elapsed), formatRate(rate), p.unit)
	}
	var fraction float64
	var eta time.Duration
	switch {
	case p.total > 0:
		fraction = float64(done) / float64(p.total)
		if rate > 0 {
			eta = time.Duration(float64(p.total-done) / rate * float64(time.Second))
		}
	case p.limit > 0:
		fraction = float64(elapsed) / float64(p.limit)
		eta = p.limit - elapsed
	}
	fraction = min(max(fraction, 0), 1)
	counted := fmt.Sprintf("%d", done)
	if p.total > 0 {
		counted = fmt.Sprintf("%d/%d", done, p.total)
	}
	text := fmt.Sprintf("%5.1f%% %s %s, %s %s/s, ETA %s", 100*fraction, counted, p.unit, formatRate(rate), p.unit, formatSeconds(eta))
	return p.phase + ": " + text
}

// formatRate renders ops/s with a k or M suffix.
func formatRate(r float64) string {
	switch {
	case r >= 1e6:
		return fmt.Sprintf("%.2fM", r/1e6)
	case r >= 1e3:
		return fmt.Sprintf("%.1fk", r/1e3)
	}
	return fmt.Sprintf("%.0f", r)
}

// formatSeconds renders d as "1h02m03s", "2m03s" or "3.4s".
func formatSeconds(d time.Duration) string {
	if d < time.Minute {
		return fmt.Sprintf("%.1fs", max(d.Seconds(), 0))
	}
	return d.Round(time.Second).String()
}
