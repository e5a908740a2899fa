package torture

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// proc is a child process: a worker incarnation or the final checker.
type proc struct {
	sp      spec
	cmd     *exec.Cmd
	errPath string        // its stderr
	started time.Time     // when it was started
	ready   chan struct{} // closed when it says it is ready (it has a session)
	done    chan struct{} // closed when it has exited and been reaped
	killed  atomic.Bool   // SIGKILLed by the killer (or its exit already accounted for)
	hungWhy atomic.Value  // string: why the watchdog gave up on it

	lastOps      uint64 // the watchdog's view of its progress (lastProgress: CLOCK_MONOTONIC)
	lastProgress int64
	startMono    int64 // when it was started, CLOCK_MONOTONIC
	// opSeen is the start of the operation in flight the watchdog last saw, opDelay0 the
	// worker's run_delay (runDelay) when it first saw it.
	opSeen, opDelay0 int64

	stopMu    sync.Mutex
	stopDepth int    // stop calls not yet matched by cont
	stops     []span // the times it was stopped (SIGSTOP); the last one's To is 0 while it is
}

// span is an interval of CLOCK_MONOTONIC nanoseconds.
type span struct{ From, To int64 }

// stop SIGSTOPs the process, recording when. Stops nest (the stoppers' and the killer's
// probes): only the outermost cont resumes it.
func (p *proc) stop() {
	p.stopMu.Lock()
	defer p.stopMu.Unlock()
	if p.stopDepth++; p.stopDepth == 1 {
		p.stops = append(p.stops, span{From: monoNow()})
		p.signal(syscall.SIGSTOP)
	}
}

// cont undoes one stop; the last one SIGCONTs the process.
func (p *proc) cont() {
	p.stopMu.Lock()
	defer p.stopMu.Unlock()
	if p.stopDepth == 0 {
		return
	}
	if p.stopDepth--; p.stopDepth == 0 {
		p.signal(syscall.SIGCONT)
		p.stops[len(p.stops)-1].To = monoNow()
	}
}

// isStopped reports whether the process is stopped now (or about to be).
func (p *proc) isStopped() bool {
	p.stopMu.Lock()
	defer p.stopMu.Unlock()
	return p.stopDepth > 0
}

// stoppedWithin returns how long the process was stopped between the CLOCK_MONOTONIC
// instants from and to: the watchdog does not count that time against it.
func (p *proc) stoppedWithin(from, to int64) time.Duration {
	p.stopMu.Lock()
	defer p.stopMu.Unlock()
	var d int64
	for _, s := range p.stops {
		end := s.To
		if end == 0 {
			end = to
		}
		if lo, hi := max(s.From, from), min(end, to); hi > lo {
			d += hi - lo
		}
	}
	return time.Duration(d)
}

// hung says why the watchdog gave up on the process ("" if it did not).
func (p *proc) hung() string {
	s, _ := p.hungWhy.Load().(string)
	return s
}

// startProc starts exe as the child sp. Its stdout is a pipe on which a worker says
// "ready"; its stderr goes to a file in sp.Dir.
func startProc(exe string, sp spec) (*proc, error) {
	js, err := json.Marshal(sp)
	if err != nil {
		return nil, err
	}
	p := &proc{sp: sp, ready: make(chan struct{}), done: make(chan struct{})}
	p.errPath = filepath.Join(sp.Dir, fmt.Sprintf("%s-%05d.stderr", sp.Role, sp.ID))
	errf, err := os.Create(p.errPath)
	if err != nil {
		return nil, err
	}
	defer errf.Close()
	pr, pw, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	p.cmd = exec.Command(exe)
	p.cmd.Env = append(os.Environ(), envChild+"="+string(js), "GOTRACEBACK=all")
	p.cmd.Stdout, p.cmd.Stderr = pw, errf
	p.started = time.Now()
	p.startMono = monoNow()
	p.lastProgress = p.startMono
	err = p.cmd.Start()
	pw.Close()
	if err != nil {
		pr.Close()
		return nil, err
	}
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			if sc.Text() == "ready" {
				close(p.ready)
				break
			}
		}
		for sc.Scan() {
		}
		pr.Close()
	}()
	go func() {
		p.cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

func (p *proc) isReady() bool {
	select {
	case <-p.ready:
		return true
	default:
		return false
	}
}

// wait waits up to d for the process to exit.
func (p *proc) wait(d time.Duration) bool {
	select {
	case <-p.done:
		return true
	case <-time.After(d):
		return false
	}
}

func (p *proc) signal(sig syscall.Signal) {
	if !p.exited() {
		p.cmd.Process.Signal(sig)
	}
}

// dump asks a hung process for its goroutines (SIGQUIT: the Go runtime prints them to
// stderr and exits), then kills it if it does not die.
func (p *proc) dump(why string) {
	p.hungWhy.Store(why)
	p.signal(syscall.SIGQUIT)
	p.signal(syscall.SIGCONT) // a stopped process takes no signal but SIGKILL
	if !p.wait(5 * time.Second) {
		p.signal(syscall.SIGKILL)
		p.wait(5 * time.Second)
	}
}

// status describes how the process ended.
func (p *proc) status() string {
	if !p.exited() {
		return "still running"
	}
	return p.cmd.ProcessState.String()
}

// cleanExit reports whether the process exited with status 0.
func (p *proc) cleanExit() bool { return p.exited() && p.cmd.ProcessState.Success() }

// failLines returns the FAIL lines of the process's stderr and, if it ended badly, its
// last lines.
func (p *proc) failLines(tail bool) []string {
	b, _ := os.ReadFile(p.errPath)
	var out []string
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	for _, l := range lines {
		if strings.HasPrefix(l, "FAIL") {
			out = append(out, l)
		}
	}
	if tail && len(b) > 0 {
		if len(lines) > 8 {
			lines = lines[:8]
		}
		out = append(out, fmt.Sprintf("stderr (%s) begins:\n    %s", p.errPath, strings.Join(lines, "\n    ")))
	}
	return out
}
