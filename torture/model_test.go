package torture

import (
	"math"
	"testing"

	"github.com/anishathalye/porcupine"
)

// op is a history entry for the model tests: client, call and return times, input and
// output (ret < 0: open-ended, its worker killed).
func op(client int, call, ret int64, in Input, out Output) porcupine.Operation {
	if ret < 0 {
		ret, out = math.MaxInt64, Output{Unknown: true}
	}
	return porcupine.Operation{ClientId: client, Call: call, Return: ret, Input: in, Output: out}
}

var (
	get   = Input{Op: OpGet}
	setA  = Input{Op: OpSet, Val: "{1.1}"}
	setB  = Input{Op: OpSet, Val: "{2.1}"}
	appC  = Input{Op: OpAppend, Val: "{3.1}"}
	miss  = Output{Res: ResMiss}
	okCAS = func(cas uint64) Output { return Output{Res: ResOK, CAS: cas} }
	saw   = func(v string, cas uint64) Output { return Output{Res: ResOK, Val: v, CAS: cas} }
)

func TestModel(t *testing.T) {
	cases := []struct {
		name          string
		strict, evict bool
		h             []porcupine.Operation
	}{
		{"set then get", true, true, []porcupine.Operation{
			op(0, 0, 1, setA, okCAS(5)), op(1, 2, 3, get, saw("{1.1}", 5))}},
		{"acknowledged set lost (miss)", false, true, []porcupine.Operation{
			op(0, 0, 1, setA, okCAS(5)), op(1, 2, 3, get, miss)}},
		{"acknowledged set lost (old value back)", false, false, []porcupine.Operation{
			op(0, 0, 1, setA, okCAS(5)), op(0, 2, 3, setB, okCAS(6)), op(1, 4, 5, get, saw("{1.1}", 5))}},
		{"concurrent set and get", true, true, []porcupine.Operation{
			op(0, 0, 10, setA, okCAS(5)), op(1, 1, 2, get, miss), op(1, 3, 4, get, saw("{1.1}", 5))}},
		{"get sees a CAS id the set did not return", false, false, []porcupine.Operation{
			op(0, 0, 1, setA, okCAS(5)), op(1, 2, 3, get, saw("{1.1}", 7))}},
		{"append", true, true, []porcupine.Operation{
			op(0, 0, 1, setA, okCAS(5)), op(0, 2, 3, appC, okCAS(6)), op(1, 4, 5, get, saw("{1.1}{3.1}", 6))}},
		{"torn append", false, false, []porcupine.Operation{
			op(0, 0, 1, setA, okCAS(5)), op(0, 2, 3, appC, okCAS(6)), op(1, 4, 5, get, saw("{3.1}", 6))}},
		{"killed set applied", true, true, []porcupine.Operation{
			op(0, 0, 1, setA, okCAS(5)), op(2, 2, -1, setB, Output{}), op(1, 4, 5, get, saw("{2.1}", 9))}},
		{"killed set not applied", true, true, []porcupine.Operation{
			op(0, 0, 1, setA, okCAS(5)), op(2, 2, -1, setB, Output{}), op(1, 4, 5, get, saw("{1.1}", 5))}},
		{"killed set undone", false, false, []porcupine.Operation{
			op(0, 0, 1, setA, okCAS(5)), op(2, 2, -1, setB, Output{}), op(1, 4, 5, get, saw("{2.1}", 9)),
			op(1, 6, 7, get, saw("{1.1}", 5))}},
		{"cas with the id read", true, true, []porcupine.Operation{
			op(0, 0, 1, setA, okCAS(5)), op(1, 2, 3, get, saw("{1.1}", 5)),
			op(1, 4, 5, Input{Op: OpCAS, Val: "{2.1}", CAS: 5}, okCAS(8)), op(0, 6, 7, get, saw("{2.1}", 8))}},
		{"cas succeeds on a changed item", false, false, []porcupine.Operation{
			op(0, 0, 1, setA, okCAS(5)), op(1, 2, 3, get, saw("{1.1}", 5)), op(0, 4, 5, setB, okCAS(6)),
			op(1, 6, 7, Input{Op: OpCAS, Val: "{2.1}", CAS: 5}, okCAS(8))}},
		{"cas after an incr's unseen id", true, true, []porcupine.Operation{
			op(0, 0, 1, Input{Op: OpSet, Val: "7"}, okCAS(5)), op(1, 2, 3, get, saw("7", 5)),
			op(0, 4, 5, Input{Op: OpIncr, Delta: 1}, Output{Res: ResOK, Num: 8}),
			op(1, 6, 7, Input{Op: OpCAS, Val: "1", CAS: 5}, Output{Res: ResExists})}},
		{"incr wraps, decr pads", true, true, []porcupine.Operation{
			op(0, 0, 1, Input{Op: OpSet, Val: "18446744073709551615"}, okCAS(5)),
			op(0, 2, 3, Input{Op: OpIncr, Delta: 11}, Output{Res: ResOK, Num: 10}),
			op(0, 4, 5, Input{Op: OpDecr, Delta: 1}, Output{Res: ResOK, Num: 9}),
			op(0, 6, 7, get, saw("9                   ", 11))}},
		{"incr on a blob", true, true, []porcupine.Operation{
			op(0, 0, 1, setA, okCAS(5)), op(0, 2, 3, Input{Op: OpIncr, Delta: 1}, Output{Res: ResNonNumeric})}},
		{"incr lost", false, false, []porcupine.Operation{
			op(0, 0, 1, Input{Op: OpSet, Val: "7"}, okCAS(5)),
			op(0, 2, 3, Input{Op: OpIncr, Delta: 1}, Output{Res: ResOK, Num: 8}),
			op(1, 4, 5, Input{Op: OpIncr, Delta: 1}, Output{Res: ResOK, Num: 8})}},
		{"add on present, delete, add", true, true, []porcupine.Operation{
			op(0, 0, 1, setA, okCAS(5)), op(0, 2, 3, Input{Op: OpAdd, Val: "{2.1}"}, Output{Res: ResNotStored}),
			op(0, 4, 5, Input{Op: OpDelete}, Output{Res: ResOK}), op(0, 6, 7, Input{Op: OpAdd, Val: "{2.1}"}, okCAS(9))}},
		{"out of memory changes nothing", true, true, []porcupine.Operation{
			op(0, 0, 1, setA, okCAS(5)), op(0, 2, 3, setB, Output{Res: ResOOM}), op(0, 4, 5, get, saw("{1.1}", 5))}},
		{"busy set changes nothing", true, true, []porcupine.Operation{
			op(0, 0, 1, setA, okCAS(5)), op(0, 2, 3, setB, Output{Res: ResBusy}), op(1, 4, 5, get, saw("{1.1}", 5))}},
		{"busy set took effect", false, false, []porcupine.Operation{
			op(0, 0, 1, setA, okCAS(5)), op(0, 2, 3, setB, Output{Res: ResBusy}), op(1, 4, 5, get, saw("{2.1}", 9))}},
		{"busy append took effect", false, false, []porcupine.Operation{
			op(0, 0, 1, setA, okCAS(5)), op(0, 2, 3, appC, Output{Res: ResBusy}), op(1, 4, 5, get, saw("{1.1}{3.1}", 9))}},
		{"busy incr took effect", false, false, []porcupine.Operation{
			op(0, 0, 1, Input{Op: OpSet, Val: "7"}, okCAS(5)),
			op(0, 2, 3, Input{Op: OpIncr, Delta: 1}, Output{Res: ResBusy}),
			op(1, 4, 5, Input{Op: OpIncr, Delta: 1}, Output{Res: ResOK, Num: 9})}},
		{"busy get and delete", true, true, []porcupine.Operation{
			op(0, 0, 1, setA, okCAS(5)), op(1, 2, 3, get, Output{Res: ResBusy}),
			op(0, 4, 5, Input{Op: OpDelete}, Output{Res: ResBusy}), op(1, 6, 7, get, saw("{1.1}", 5))}},
		{"a bad value is never legal", false, false, []porcupine.Operation{
			op(0, 0, 1, setA, okCAS(5)), op(0, 2, 3, get, Output{Res: ResBad})}},
	}
	for _, c := range cases {
		for _, m := range []struct {
			name  string
			model porcupine.Model
			want  bool
		}{{"strict", StrictModel(), c.strict}, {"evict", EvictingModel(), c.evict}} {
			if got := porcupine.CheckOperations(m.model, c.h); got != m.want {
				t.Errorf("%s, %s model: linearizable %v, want %v", c.name, m.name, got, m.want)
			}
		}
	}
}
