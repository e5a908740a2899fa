package torture

import (
	"hash/fnv"
	"strconv"

	"github.com/anishathalye/porcupine"
)

// OpKind is an operation on one key, as the workers issue it and the model checks it.
type OpKind uint8

// The operations of the workload.
const (
	OpGet OpKind = iota
	OpSet
	OpAdd
	OpDelete
	OpIncr
	OpDecr
	OpAppend
	OpCAS
	numOps
)

var opNames = [numOps]string{"get", "set", "add", "delete", "incr", "decr", "append", "cas"}

// String names the operation as memcached does.
func (o OpKind) String() string {
	if o < numOps {
		return opNames[o]
	}
	return "op" + strconv.Itoa(int(o))
}

// Result is an operation's outcome as the model sees it.
type Result uint8

// Outcomes. ResBad is a value that failed verification; ResOther an error the workload
// never expects (plib.ErrStore, ErrValueTooLarge, ...). The model accepts neither. ResBusy
// is plib.ErrBusy: a lock the call needed stayed held by a live (stopped) client for
// Options.LockTimeout, and the call gave up having changed nothing.
const (
	ResOK Result = iota
	ResMiss
	ResNotStored
	ResExists
	ResNonNumeric
	ResOOM
	ResBad
	ResOther
	ResBusy
)

var resNames = [...]string{"ok", "miss", "not_stored", "exists", "non_numeric", "oom", "BAD", "ERROR", "busy"}

// String names the outcome.
func (r Result) String() string {
	if int(r) < len(resNames) {
		return resNames[r]
	}
	return "res" + strconv.Itoa(int(r))
}

// Input is an operation's arguments: Val the abstract value written (set, add, append,
// cas), Delta for incr and decr, CAS the id a cas compares with.
type Input struct {
	Op    OpKind
	Val   string
	Delta uint64
	CAS   uint64
}

// Output is an operation's result. Unknown marks an operation whose worker was killed
// before it returned: it may or may not have taken effect, and any outcome is accepted.
// Val and CAS are what a get read; CAS is also the id a successful store returned; Num is
// incr's and decr's new value.
type Output struct {
	Unknown bool
	Res     Result
	Val     string
	CAS     uint64
	Num     uint64
}

// State is one memcached key: absent, or a value (abstract form) and its CAS id. CAS 0
// means an id nobody has observed yet: incr and decr give the item a fresh id they do not
// return, and a killed store's id is lost. A get learns it.
type State struct {
	Present bool
	Val     string
	CAS     uint64
}

// step is the sequential specification of one key (memcached 1.6, as package kv
// implements it). It reports whether op (in, out) is legal in state s, and the next state.
func step(s State, in Input, out Output) (bool, State) {
	res, next, num := apply(s, in)
	if out.Unknown {
		return true, next // a changed item's new CAS id is lost with its worker: 0
	}
	switch {
	case out.Res == ResBusy:
		// The call timed out waiting for a live client's lock and was rolled back as a
		// crash would be (kv's recoverOp): legal in any state, and nothing changed. Unlike
		// a killed call's, its effect is known: none, so it is not an open-ended operation.
		return true, s
	case out.Res == ResOOM:
		// The store found no memory: legal where the operation would have allocated an
		// item, and then nothing changed.
		return res == ResOK && allocates(s, in, next), s
	case out.Res != res:
		return false, s
	case res != ResOK:
		return true, s
	}
	switch in.Op {
	case OpGet:
		if out.Val != s.Val || s.CAS != 0 && out.CAS != s.CAS || out.CAS == 0 {
			return false, s
		}
		next.CAS = out.CAS // learnt
	case OpIncr, OpDecr:
		if out.Num != num {
			return false, s
		}
	case OpSet, OpAdd, OpAppend, OpCAS:
		if out.CAS == 0 || s.Present && out.CAS == s.CAS {
			return false, s // a store's CAS id is new
		}
		next.CAS = out.CAS
	}
	return true, next
}

// apply runs in on s and returns the outcome, the next state (CAS 0 where the new id is
// not known from the input) and, for incr and decr, the new number.
func apply(s State, in Input) (Result, State, uint64) {
	absent := State{}
	switch in.Op {
	case OpGet:
		if !s.Present {
			return ResMiss, s, 0
		}
		return ResOK, s, 0
	case OpSet:
		return ResOK, State{Present: true, Val: in.Val}, 0
	case OpAdd:
		if s.Present {
			return ResNotStored, s, 0
		}
		return ResOK, State{Present: true, Val: in.Val}, 0
	case OpDelete:
		if !s.Present {
			return ResMiss, s, 0
		}
		return ResOK, absent, 0
	case OpAppend:
		if !s.Present {
			return ResNotStored, s, 0
		}
		return ResOK, State{Present: true, Val: s.Val + in.Val}, 0
	case OpCAS:
		switch {
		case !s.Present:
			return ResMiss, s, 0
		case s.CAS == 0 || s.CAS != in.CAS:
			// An unobserved id is newer than any id a worker got from a get.
			return ResExists, s, 0
		}
		return ResOK, State{Present: true, Val: in.Val}, 0
	case OpIncr, OpDecr:
		if !s.Present {
			return ResMiss, s, 0
		}
		v, ok := parseDecimal(s.Val)
		if !ok {
			return ResNonNumeric, s, 0
		}
		v = arith(v, in.Delta, in.Op == OpIncr)
		return ResOK, State{Present: true, Val: rewriteNumber(s.Val, v)}, v
	}
	return ResOther, s, 0
}

// allocates reports whether in, succeeding on s to give next, needs a new item: every store
// does, incr only when the number outgrows its old text (else it is rewritten in place).
func allocates(s State, in Input, next State) bool {
	switch in.Op {
	case OpSet, OpAdd, OpAppend, OpCAS:
		return true
	case OpIncr:
		return len(next.Val) > len(s.Val)
	}
	return false
}

func hashState(s State) uint64 {
	h := fnv.New64a()
	h.Write([]byte(s.Val))
	v := h.Sum64() ^ s.CAS*0x9e3779b97f4a7c15
	if s.Present {
		v ^= 1
	}
	return v
}

// StrictModel is one key that changes only by the operations in the history.
func StrictModel() porcupine.Model {
	return porcupine.Model{
		Init: func() any { return State{} },
		Step: func(s, in, out any) (bool, any) {
			return step(s.(State), in.(Input), out.(Output))
		},
		Hash:              func(s any) uint64 { return hashState(s.(State)) },
		DescribeOperation: describeOp,
		DescribeState:     func(s any) string { return describeState(s.(State)) },
	}
}

// EvictingModel is one key of a cache: besides the operations in the history, the store
// may evict the item at any moment (before any operation).
func EvictingModel() porcupine.Model {
	nm := porcupine.NondeterministicModel{
		Init: func() []any { return []any{State{}} },
		Step: func(st, in, out any) []any {
			s := st.(State)
			var next []any
			if ok, n := step(s, in.(Input), out.(Output)); ok {
				next = append(next, n)
			}
			if s.Present {
				if ok, n := step(State{}, in.(Input), out.(Output)); ok {
					next = append(next, n)
				}
			}
			return next
		},
		Hash:              func(s any) uint64 { return hashState(s.(State)) },
		DescribeOperation: describeOp,
		DescribeState:     func(s any) string { return describeState(s.(State)) },
	}
	return nm.ToModel()
}
