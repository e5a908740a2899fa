package workloads

// opChooser is YCSB's DiscreteGenerator as CoreWorkload.createOperationGenerator builds it:
// the operations with a positive proportion, in YCSB's order (READ, UPDATE, INSERT, SCAN,
// READMODIFYWRITE), each chosen with probability proportion/sum. It holds no mutable state.
type opChooser struct {
	n   int
	ops [5]OpType
	cum [5]float64 // cumulative probability up to and including ops[i]
}

// newOpChooser builds the chooser; at least one proportion must be positive.
func newOpChooser(read, update, insert, scan, readModifyWrite float64) opChooser {
	var c opChooser
	weights := [5]float64{read, update, insert, scan, readModifyWrite}
	ops := [5]OpType{OpRead, OpUpdate, OpInsert, OpScan, OpReadModifyWrite}
	var sum float64
	for _, w := range weights {
		if w > 0 {
			sum += w
		}
	}
	var acc float64
	for i, w := range weights {
		if w > 0 {
			acc += w
			c.ops[c.n] = ops[i]
			c.cum[c.n] = acc / sum
			c.n++
		}
	}
	return c
}

// choose maps a uniform u in [0, 1) to an operation. The last operation takes whatever
// rounding leaves above the final cumulative sum.
func (c *opChooser) choose(u float64) OpType {
	for i := 0; i < c.n-1; i++ {
		if u < c.cum[i] {
			return c.ops[i]
		}
	}
	return c.ops[c.n-1]
}
