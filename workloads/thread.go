package workloads

// Thread is one client thread's stream of operations. It is used by one goroutine at a time;
// distinct Threads of one CoreWorkload may run concurrently.
//
// With insertvisibility=thread (the default) the stream is a function of (seed, thread,
// threads) and of the order of this Thread's own calls alone: run it again with the same
// arguments and it yields the same operations, however other threads are scheduled. With
// insertvisibility=acknowledged, reads follow the inserts acknowledged by all threads, as in
// YCSB, and so depend on scheduling whenever the workload inserts.
type Thread struct {
	w       *CoreWorkload
	thread  int64
	threads int64
	ops     rng // op types and keys
	values  rng // value lengths
	chooser keyChooser
	// inserts hands out this thread's insert sequence numbers and tracks their
	// acknowledgement (insertvisibility=thread); nil under insertvisibility=acknowledged.
	inserts *acknowledgedCounter
	err     error // first bad Acknowledge
}

// NewThread returns thread `thread` of `threads`' operation stream under seed: the same
// arguments give the same stream. threads < 1 is taken as 1, and thread modulo threads.
//
// Inserts (insertproportion > 0) take record numbers from recordcount up. Under
// insertvisibility=thread, thread t's j-th insert is record recordcount + j·threads + t, and
// readers in thread t see the records below recordcount + a·threads, a being the inserts t has
// acknowledged: the view of a run whose threads insert at the same pace. Under
// insertvisibility=acknowledged the record numbers come from one shared counter and readers see
// every insert acknowledged so far, by any thread (YCSB's AcknowledgedCounterGenerator).
func (w *CoreWorkload) NewThread(thread, threads int, seed int64) *Thread {
	n := int64(max(threads, 1))
	i := ((int64(thread) % n) + n) % n
	t := &Thread{
		w:       w,
		thread:  i,
		threads: n,
		ops:     newRNG(seed, i, streamOps),
		values:  newRNG(seed, i, streamValues),
		chooser: w.newKeyChooser(i, n),
	}
	if w.acked == nil {
		t.inserts = newAcknowledgedCounter(0, threadAckWindow)
	}
	return t
}

// Next chooses the next operation: its type, by the workload's proportions, and its record,
// by the request distribution (for OpInsert, the new record). It never allocates. After an
// OpInsert, call Acknowledge with its KeyNum once the insert is done (whether or not it
// succeeded), or readers never move past it.
func (t *Thread) Next() Op {
	typ := t.w.ops.choose(t.ops.float64())
	if typ == OpInsert {
		return Op{Type: OpInsert, KeyNum: t.nextInsertKey()}
	}
	return Op{Type: typ, KeyNum: t.nextKeynum()}
}

// nextKeynum is YCSB's CoreWorkload.nextKeynum: draw until the record is one readers may see.
func (t *Thread) nextKeynum() int64 {
	limit := t.limit()
	for {
		if k := t.chooser.choose(&t.ops, limit); k >= 0 && k <= limit {
			return k
		}
	}
}

// limit is the highest record number readers may choose.
func (t *Thread) limit() int64 {
	if t.inserts == nil {
		return t.w.acked.lastValue()
	}
	return t.w.RecordCount - 1 + (t.inserts.lastValue()+1)*t.threads
}

// nextInsertKey hands out the record number of the next insert.
func (t *Thread) nextInsertKey() int64 {
	if t.inserts == nil {
		return t.w.acked.nextValue()
	}
	return t.w.RecordCount + t.inserts.nextValue()*t.threads + t.thread
}

// Acknowledge reports that the insert of keynum, returned by Next as an OpInsert of this
// Thread, is done, so that readers may choose it (once every earlier insert is done too).
// A keynum that is not an outstanding insert of this Thread is ignored and recorded for Err.
func (t *Thread) Acknowledge(keynum int64) {
	var err error
	if t.inserts == nil {
		err = t.w.acked.acknowledge(keynum)
	} else if d := keynum - t.w.RecordCount - t.thread; d < 0 || d%t.threads != 0 {
		err = errNotThisThreads(keynum, t.thread)
	} else {
		err = t.inserts.acknowledge(d / t.threads)
	}
	if err != nil && t.err == nil {
		t.err = err
	}
}

// Err returns the first misuse of Acknowledge, wrapping ErrBadAcknowledge, or nil.
func (t *Thread) Err() error { return t.err }
