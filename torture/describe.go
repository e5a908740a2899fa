package torture

import (
	"fmt"
	"strconv"
)

// describeOp renders an operation for porcupine's visualization.
func describeOp(in, out any) string {
	i, o := in.(Input), out.(Output)
	var call string
	switch i.Op {
	case OpGet, OpDelete:
		call = i.Op.String() + "()"
	case OpIncr, OpDecr:
		call = fmt.Sprintf("%s(%d)", i.Op, i.Delta)
	case OpCAS:
		call = fmt.Sprintf("cas(%s, %d)", short(i.Val), i.CAS)
	default:
		call = fmt.Sprintf("%s(%s)", i.Op, short(i.Val))
	}
	return call + " -> " + describeOutput(i, o)
}

func describeOutput(i Input, o Output) string {
	switch {
	case o.Unknown:
		return "? (worker killed)"
	case o.Res != ResOK:
		return o.Res.String()
	case i.Op == OpGet:
		return fmt.Sprintf("%s cas=%d", short(o.Val), o.CAS)
	case i.Op == OpIncr || i.Op == OpDecr:
		return strconv.FormatUint(o.Num, 10)
	case i.Op == OpDelete:
		return "ok"
	}
	return fmt.Sprintf("ok cas=%d", o.CAS)
}

// describeState renders a model state for porcupine's visualization.
func describeState(s State) string {
	if !s.Present {
		return "absent"
	}
	cas := "?"
	if s.CAS != 0 {
		cas = strconv.FormatUint(s.CAS, 10)
	}
	return fmt.Sprintf("%s cas=%s", short(s.Val), cas)
}

// short quotes a value, eliding the middle of a long one.
func short(v string) string {
	if len(v) > 60 {
		v = v[:28] + "…" + v[len(v)-28:]
	}
	return strconv.Quote(v)
}
