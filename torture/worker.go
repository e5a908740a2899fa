package torture

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/plibcached/plibcached/plib"
)

// worker is one worker process: it runs operations on the segment until SIGTERM (or until
// it is killed), logging those on sampled keys and verifying every value it reads.
type worker struct {
	sp    spec
	s     *plib.Session
	g     *generator
	hist  *histLog
	stats *liveStats
	buf   []byte // values read
	vbuf  []byte // values written
	fails int
	lies  uint64
}

// maxFailLines bounds the FAIL lines a worker prints (all are counted).
const maxFailLines = 50

func runWorker(sp spec) int {
	var stopping atomic.Bool
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM)
	go func() { <-sig; stopping.Store(true) }()
	c, err := plib.Open(sp.Path, plib.Options{Protection: plib.ModeNoPKU, LockTimeout: sp.LockTimeout})
	if err != nil {
		fmt.Fprintf(os.Stderr, "FAIL worker %d: open: %v\n", sp.ID, err)
		return 3
	}
	s, busy, err := session(c)
	if err != nil {
		fmt.Fprintf(os.Stderr, "FAIL worker %d: session: %v\n", sp.ID, err)
		return 3
	}
	hist, err := openHistLog(sp.Dir, sp.ID)
	if err != nil {
		fmt.Fprintf(os.Stderr, "FAIL worker %d: %v\n", sp.ID, err)
		return 3
	}
	stats, err := newLiveStats(sp.Dir, sp.ID)
	if err != nil {
		fmt.Fprintf(os.Stderr, "FAIL worker %d: %v\n", sp.ID, err)
		return 3
	}
	stats.s.BusyAtStart = busy
	w := &worker{sp: sp, s: s, g: newGenerator(sp), hist: hist, stats: stats, buf: make([]byte, 1<<20)}
	os.Stdout.WriteString("ready\n")
	for !stopping.Load() {
		w.one()
	}
	err = errors.Join(s.Close(), c.Close(), hist.close(), stats.close(true))
	if err != nil {
		fmt.Fprintf(os.Stderr, "FAIL worker %d: stopping: %v\n", sp.ID, err)
		return 3
	}
	return 0
}

// sessionTries bounds a worker's attempts to get a session that end in plib.ErrBusy.
const sessionTries = 20

// session gets the worker's session. Claiming a slot may take back a dead one, and
// repairing it may have to wait for a live repairer, which the stop mode may have stopped:
// past the lock timeout the claim gives up with ErrBusy, a normal outcome here, and the
// worker tries again (the slot it had claimed stays its own until it exits; Recover
// takes it back then). It returns how many attempts were busy.
func session(c *plib.Client) (*plib.Session, uint64, error) {
	var busy uint64
	for {
		s, err := c.Session()
		if err == nil || !errors.Is(err, plib.ErrBusy) || busy+1 >= sessionTries {
			return s, busy, err
		}
		busy++
		time.Sleep(time.Millisecond)
	}
}

// one runs one operation (a cas is a get, then a cas with the id read).
func (w *worker) one() {
	k, op := w.g.next()
	in := Input{Op: op}
	if op == OpCAS {
		got := w.run(k, Input{Op: OpGet}, nil)
		if got.Res != ResOK {
			return
		}
		in.CAS = got.CAS
	}
	var val []byte
	switch op {
	case OpSet, OpAdd, OpAppend, OpCAS:
		val, in.Val = w.g.value(w.vbuf[:0], k, op)
		w.vbuf = val
	case OpIncr, OpDecr:
		in.Delta = w.g.delta(op)
	}
	w.run(k, in, val)
}

// run executes one operation on key k, logging it if k is sampled.
func (w *worker) run(k int, in Input, val []byte) Output {
	key := w.g.keys[k]
	var id uint64
	if key.sampled {
		id = w.hist.call(k, in)
	}
	start := time.Now()
	w.stats.begin(in.Op, k, start)
	out := w.exec(key, in, val)
	end := time.Now()
	if key.sampled {
		w.hist.ret(id, out)
	}
	w.stats.end(key.sampled, start, end, out.Res)
	return out
}

var storeModes = map[OpKind]plib.StoreMode{OpSet: plib.ModeSet, OpAdd: plib.ModeAdd, OpAppend: plib.ModeAppend, OpCAS: plib.ModeCAS}

func (w *worker) exec(key keyRef, in Input, val []byte) (out Output) {
	if w.sp.Fault != "" {
		if out, faked := w.injectFault(key, in); faked {
			return out
		}
	}
	kb := []byte(key.name)
	var err error
	switch in.Op {
	case OpGet:
		var m plib.Meta
		if m, err = w.s.GetInto(kb, w.buf); err == nil {
			out.CAS = m.CAS
			out.Val, err = decodeValue(key.name, w.buf[:m.Len])
			if err == nil && key.counter != isNumber(out.Val) {
				err = fmt.Errorf("%w: key %s holds %s", errBadValue, key.name, short(out.Val))
			}
		}
	case OpSet, OpAdd, OpAppend, OpCAS:
		out.CAS, err = w.s.Store(storeModes[in.Op], kb, val, 0, 0, in.CAS)
	case OpDelete:
		err = w.s.Delete(kb)
	case OpIncr:
		out.Num, err = w.s.Incr(kb, in.Delta)
	case OpDecr:
		out.Num, err = w.s.Decr(kb, in.Delta)
	}
	out.Res = resultOf(err)
	if w.sp.Fault != "" {
		w.faultAfter(key, in, &out)
	}
	switch {
	case out.Res == ResBad || out.Res == ResOther:
		w.fail("%s %s: %v", in.Op, key.name, err)
	case (in.Op == OpIncr || in.Op == OpDecr) && key.counter && out.Res == ResNonNumeric:
		w.fail("%s %s: counter holds a non-number", in.Op, key.name)
	case (in.Op == OpIncr || in.Op == OpDecr) && !key.counter && out.Res == ResOK:
		w.fail("%s %s: blob key incremented to %d", in.Op, key.name, out.Num)
	}
	return out
}

// isNumber reports whether an abstract value is a counter's (not chunks).
func isNumber(v string) bool { return v == "" || v[0] != '{' }

// resultOf maps plib's errors to the model's outcomes.
func resultOf(err error) Result {
	switch {
	case err == nil:
		return ResOK
	case errors.Is(err, errBadValue):
		return ResBad
	case err == plib.ErrCacheMiss:
		return ResMiss
	case err == plib.ErrNotStored:
		return ResNotStored
	case err == plib.ErrCASConflict:
		return ResExists
	case err == plib.ErrNonNumeric:
		return ResNonNumeric
	case err == plib.ErrOutOfMemory:
		return ResOOM
	case errors.Is(err, plib.ErrBusy):
		return ResBusy
	}
	return ResOther
}

// fail reports a verification failure on stderr (unbuffered: it survives a SIGKILL).
func (w *worker) fail(format string, args ...any) {
	w.stats.failure()
	if w.fails++; w.fails <= maxFailLines {
		msg := strings.ReplaceAll(fmt.Sprintf(format, args...), "\n", ": ")
		fmt.Fprintf(os.Stderr, "FAIL worker %d: %s\n", w.sp.ID, msg)
	}
}
