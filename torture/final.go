package torture

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/plibcached/plibcached/plib"
)

// FinalCheck is what the final checker found once every worker had stopped: Recover's
// report, the locks still held, Check's verdict, a verified read of every key, and the
// store's statistics.
type FinalCheck struct {
	// Recovery is Client.Recover's report; RecoverErr its error.
	Recovery   plib.RecoveryReport
	RecoverErr string
	// LocksAfterRecover counts lock words held after Recover, with no client running: a
	// dead client's, not released.
	LocksAfterRecover int
	// CheckErr is Client.Check's error (empty: every invariant holds), Violations the
	// problems it listed (at most 32).
	CheckErr   string
	Violations []string
	// LocksAfterCheck counts lock words held after Check (which takes over dead holders').
	LocksAfterCheck int
	// Keys were read: Hits found, Misses not, Bad failed verification (BadSamples: the
	// first few reasons); ReadErrors lists reads that returned an unexpected error.
	Keys, Hits, Misses, Bad int
	BadSamples              []string
	ReadErrors              []string
	// The store's statistics: evictions, expired items reclaimed, stores refused for
	// memory, items, pages per slab class ("class:chunk=pages") and the hash power.
	Evictions, Reclaimed, OutOfMemory, CurrItems uint64
	// Repairs, RepairWaitMax and RepairTimeMax are the store's lock-repair figures: how
	// many dead clients' locks were repaired, the longest any client waited on such a lock
	// and the longest repair.
	Repairs                      uint64
	RepairWaitMax, RepairTimeMax time.Duration
	Pages                        []string
	HashPower                    uint32
}

func finalPath(dir string) string { return filepath.Join(dir, "final.json") }

// finalID is the final checker's history file id (workers count from 1).
const finalID = 0

// runFinal is the final checker: Recover, then the invariants, then a read of every key,
// logged for the sampled ones so that porcupine checks the end state too. It reports each
// phase on stderr, so a hang names its phase.
func runFinal(sp spec) int {
	phase := func(p string) { fmt.Fprintf(os.Stderr, "final: %s\n", p) }
	phase("open")
	c, err := plib.Open(sp.Path, plib.Options{Protection: plib.ModeNoPKU})
	if err != nil {
		fmt.Fprintf(os.Stderr, "FAIL final: open: %v\n", err)
		return 3
	}
	var r FinalCheck
	phase("recover")
	if r.Recovery, err = c.Recover(); err != nil {
		r.RecoverErr = err.Error()
	}
	r.LocksAfterRecover = c.LocksHeld()
	phase("check")
	if err := c.Check(); err != nil {
		r.CheckErr = err.Error()
		if ce := (*plib.CheckError)(nil); errors.As(err, &ce) {
			r.Violations = ce.Problems
		}
	}
	r.LocksAfterCheck = c.LocksHeld()
	phase("read every key")
	if err := readAll(c, sp, &r); err != nil {
		fmt.Fprintf(os.Stderr, "FAIL final: %v\n", err)
		return 3
	}
	phase("stats")
	st := c.Stats()
	r.Evictions, r.Reclaimed, r.OutOfMemory, r.CurrItems, r.HashPower = st.Evictions, st.Reclaimed, st.OutOfMemory, st.CurrItems, st.HashPower
	r.Repairs, r.RepairWaitMax, r.RepairTimeMax = st.Repairs, st.RepairWaitMax, st.RepairTimeMax
	for _, sl := range st.Slabs {
		r.Pages = append(r.Pages, fmt.Sprintf("%d:%d=%d", sl.Class, sl.ChunkSize, sl.TotalPages))
	}
	if err := c.Close(); err != nil {
		fmt.Fprintf(os.Stderr, "FAIL final: close: %v\n", err)
		return 3
	}
	b, err := json.MarshalIndent(&r, "", "  ")
	if err == nil {
		err = os.WriteFile(finalPath(sp.Dir), b, 0o644)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "FAIL final: %v\n", err)
		return 3
	}
	phase("done")
	return 0
}

// readAll reads and verifies every key's value.
func readAll(c *plib.Client, sp spec, r *FinalCheck) error {
	s, err := c.Session()
	if err != nil {
		return err
	}
	defer s.Close()
	hist, err := openHistLog(sp.Dir, finalID)
	if err != nil {
		return err
	}
	defer hist.close()
	w := &worker{sp: sp, s: s, buf: make([]byte, 1<<20)} // no stats: fail is not called
	for k, key := range keySpace(sp.SampledKeys, sp.BulkKeys) {
		var id uint64
		if key.sampled {
			id = hist.call(k, Input{Op: OpGet})
		}
		out := w.read(key)
		if key.sampled {
			hist.ret(id, out)
		}
		r.Keys++
		switch out.Res {
		case ResOK:
			r.Hits++
		case ResMiss:
			r.Misses++
		case ResBad:
			r.Bad++
			if len(r.BadSamples) < 10 {
				r.BadSamples = append(r.BadSamples, out.Val)
			}
		default:
			r.ReadErrors = append(r.ReadErrors, fmt.Sprintf("%s: %s", key.name, out.Res))
		}
	}
	return nil
}

// read is a verified get for the final checker: on a bad value Val holds the reason.
func (w *worker) read(key keyRef) Output {
	m, err := w.s.GetInto([]byte(key.name), w.buf)
	out := Output{Res: resultOf(err), CAS: m.CAS}
	if err != nil {
		return out
	}
	out.Val, err = decodeValue(key.name, w.buf[:m.Len])
	if err == nil && key.counter != isNumber(out.Val) {
		err = fmt.Errorf("%w: key %s holds %s", errBadValue, key.name, short(out.Val))
	}
	if err != nil {
		out.Res, out.Val = ResBad, err.Error()
	}
	return out
}
