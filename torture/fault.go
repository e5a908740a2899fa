package torture

import "time"

// Faults a worker can be told to inject (Config.fault, for the harness's own tests): the
// harness must catch each of them.
const (
	// faultHang: after 200 operations the worker stops forever in the middle of one, as
	// a client spinning on a lock nobody releases would. The watchdog must report it.
	faultHang = "hang"
	// faultLie: one set in ten on a sampled key is acknowledged (with a made-up CAS id)
	// but never done, as a store that loses a write would. Porcupine must reject it.
	faultLie = "lie"
	// faultBusyOK: a store on a sampled key that returned ErrBusy (it changed nothing) is
	// reported as done, with a made-up CAS id, as a client that took busy for success
	// would. Porcupine must reject it.
	faultBusyOK = "busyok"
)

// faultAfter fakes the outcome of an operation the worker did (faultBusyOK).
func (w *worker) faultAfter(key keyRef, in Input, out *Output) {
	if w.sp.Fault == faultBusyOK && out.Res == ResBusy && key.sampled && in.Op != OpGet && in.Op != OpDelete {
		w.lies++
		*out = Output{Res: ResOK, CAS: 1<<60 + w.lies, Num: 1<<60 + w.lies}
	}
}

// injectFault returns the faked outcome of an operation the worker pretends to do.
func (w *worker) injectFault(key keyRef, in Input) (Output, bool) {
	switch {
	case w.sp.Fault == faultHang && w.stats.s.Ops >= 200:
		for {
			time.Sleep(time.Hour)
		}
	case w.sp.Fault == faultLie && key.sampled && in.Op == OpSet:
		if w.lies++; w.lies%10 == 0 {
			return Output{Res: ResOK, CAS: 1<<60 + w.lies}, true
		}
	}
	return Output{}, false
}
