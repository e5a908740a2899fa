package torture

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/anishathalye/porcupine"
)

// KeyResult is the linearizability check of one sampled key's history.
type KeyResult struct {
	Key     string                // the key's name
	Ops     int                   // operations checked
	Open    int                   // of which open-ended: their worker was killed during them
	Dropped int                   // reads in flight at a kill, left out (they constrain nothing)
	Busy    int                   // of the operations, how many returned ErrBusy (no effect)
	Result  porcupine.CheckResult // Ok, Illegal, or Unknown (porcupine timed out)
	Took    time.Duration         // porcupine's time
	// Visualization is porcupine's HTML page for a history that is not linearizable.
	Visualization string
}

// histories reads every history file into one porcupine history per sampled key. A
// worker's operations carry its slot as client id; operations open at a kill are given to
// client Workers, with an infinite return time and an unknown output; the final reads to
// client Workers+1.
func (rn *runner) histories() ([][]porcupine.Operation, []KeyResult, error) {
	keys := keySpace(rn.cfg.SampledKeys, 0)
	ops := make([][]porcupine.Operation, len(keys))
	res := make([]KeyResult, len(keys))
	for i, k := range keys {
		res[i].Key = k.name
	}
	files := []struct {
		id     uint64
		client int
	}{{finalID, rn.cfg.Workers + 1}}
	for _, p := range rn.all {
		files = append(files, struct {
			id     uint64
			client int
		}{p.sp.ID, p.sp.Slot})
	}
	for _, f := range files {
		recs, err := readHistory(histPath(rn.dir, f.id))
		if errors.Is(err, fs.ErrNotExist) {
			continue // a worker that never got going
		}
		if err != nil {
			return nil, nil, err
		}
		calls := map[uint64]record{}
		for _, r := range recs {
			switch {
			case r.Kind == "c" && r.Key >= 0 && r.Key < len(keys):
				calls[r.ID] = r
			case r.Kind == "r" && calls[r.ID].Kind == "c":
				c := calls[r.ID]
				delete(calls, r.ID)
				if r.T < c.T {
					return nil, nil, fmt.Errorf("history %d: op %d returns before its call", f.id, r.ID)
				}
				ops[c.Key] = append(ops[c.Key], porcupine.Operation{ClientId: f.client, Input: inputOf(c), Call: c.T,
					Output: Output{Res: r.Res, Val: r.Val, CAS: r.CAS, Num: r.Num}, Return: r.T})
				if r.Res == ResBusy {
					res[c.Key].Busy++
				}
			default:
				return nil, nil, fmt.Errorf("history %d: unexpected record %+v", f.id, r)
			}
		}
		for _, c := range calls {
			if c.Op == OpGet {
				res[c.Key].Dropped++
				continue
			}
			res[c.Key].Open++
			ops[c.Key] = append(ops[c.Key], porcupine.Operation{ClientId: rn.cfg.Workers, Input: inputOf(c), Call: c.T,
				Output: Output{Unknown: true}, Return: math.MaxInt64})
		}
	}
	for i := range ops {
		sort.Slice(ops[i], func(a, b int) bool { return ops[i][a].Call < ops[i][b].Call })
		res[i].Ops = len(ops[i])
	}
	return ops, res, nil
}

func inputOf(c record) Input { return Input{Op: c.Op, Val: c.Val, Delta: c.D, CAS: c.CAS} }

// checkLinearizable checks each sampled key's history with porcupine, writing the
// visualization of any that fails.
func (rn *runner) checkLinearizable() {
	ops, res, err := rn.histories()
	if err != nil {
		rn.fail("reading the histories: %v", err)
		return
	}
	rn.rep.Model = rn.cfg.Model
	if rn.rep.Model == "auto" {
		rn.rep.Model = "evict"
		if f := rn.rep.Final; f != nil && f.Evictions == 0 && f.Reclaimed == 0 {
			rn.rep.Model = "strict"
		}
	}
	model := EvictingModel()
	if rn.rep.Model == "strict" {
		model = StrictModel()
	}
	for i := range res {
		r := &res[i]
		start := time.Now()
		var info porcupine.LinearizationInfo
		r.Result, info = porcupine.CheckOperationsVerbose(model, ops[i], rn.cfg.CheckTimeout)
		r.Took = time.Since(start)
		switch r.Result {
		case porcupine.Illegal:
			r.Visualization = filepath.Join(rn.dir, "linearizability-"+strings.ReplaceAll(r.Key, ":", "_")+".html")
			if err := porcupine.VisualizePath(model, info, r.Visualization); err != nil {
				r.Visualization = "(visualization failed: " + err.Error() + ")"
			}
			rn.fail("NOT LINEARIZABLE: key %s (%d ops, %d open at kills); see %s", r.Key, r.Ops, r.Open, r.Visualization)
		case porcupine.Unknown:
			rn.fail("porcupine gave up on key %s after %v (%d ops, %d open): not verified", r.Key, rn.cfg.CheckTimeout, r.Ops, r.Open)
		}
	}
	rn.rep.Keys = res
}
