package plib

import (
	"bytes"
	"fmt"

	"github.com/plibcached/plibcached/kv"
)

// call decodes and makes one call, and checks its answer against the model. Client calls
// take keys as strings (a copy: only their values and destinations can lie in the
// segment); Session calls take every buffer as decoded.
func (f *apiFuzz) call(op byte) {
	now := f.clock.Now()
	switch op % opCount {
	case opGet, opGetAndTouch:
		k := string(f.heapKey())
		touch := op%opCount == opGetAndTouch
		var exp int32
		var it *Item
		var err error
		if touch {
			exp = f.exptime()
			f.note("GetAndTouch(%q, %d)", k, exp)
			it, err = f.c.GetAndTouch(k, exp)
		} else {
			f.note("Get(%q)", k)
			it, err = f.c.Get(k)
		}
		f.checkItem(k, it, err, now, touch, exp)
	case opGetMulti:
		f.getMulti(now)
	case opClientStore, opCompareSwap:
		f.clientStore(op, now)
	case opDelete:
		k := f.heapKey()
		f.note("Delete(%q)", k)
		f.checkErr("Delete", f.c.Delete(string(k)), f.preOr(k, false, func() error { return f.m.delete(k, now) }))
	case opIncrDecr:
		incr, k, d := f.in.byte()%2 == 0, f.heapKey(), f.delta()
		f.note("Increment=%v(%q, %d)", incr, k, d)
		var got uint64
		var err error
		if incr {
			got, err = f.c.Increment(string(k), d)
		} else {
			got, err = f.c.Decrement(string(k), d)
		}
		f.checkArith(k, false, d, incr, got, err, now)
	case opTouch:
		k, exp := f.heapKey(), f.exptime()
		f.note("Touch(%q, %d)", k, exp)
		f.checkErr("Touch", f.c.Touch(string(k), exp), f.preOr(k, false, func() error { return f.m.touch(k, exp, now) }))
	case opFlushAll:
		f.note("FlushAll()")
		f.checkErr("FlushAll", f.c.FlushAll(), nil)
		f.m.flush(0, now)
	case opClientGetInto, opGetInto, opGATInto:
		f.getInto(op%opCount, now)
	case opStore:
		f.sessionStore(now)
	case opSessionKeyed:
		f.sessionKeyed(now)
	case opSessionFlush:
		d := f.exptime()
		f.note("Session.FlushAll(%d)", d)
		f.checkErr("Session.FlushAll", f.s.FlushAll(d), nil)
		f.m.flush(d, now)
	case opAdvance:
		var d int64
		switch sel := f.in.byte(); sel % 4 {
		case 0:
			d = int64(sel >> 2)
		case 1:
			d = 60 // an LRU bump becomes due
		case 2:
			d = modelMaxRelative
		default:
			d = int64(f.in.u16())
		}
		f.note("clock += %d", d)
		f.clock.Advance(d)
	}
}

// heapKey decodes a key for a Client call, which takes keys as strings: only values and
// destinations of Client calls can lie in the segment. A key decoded as a segment buffer
// becomes a copy of its bytes in the mapping.
func (f *apiFuzz) heapKey() []byte {
	k := f.key()
	if k.overlap {
		return bytes.Clone(k.inside)
	}
	return bytes.Clone(k.b)
}

// preOr is the model's answer for a keyed call: plib's own checks, then the store's.
func (f *apiFuzz) preOr(key []byte, overlap bool, store func() error) error {
	if err := preKeyErr(key, overlap); err != nil {
		return err
	}
	return store()
}

func (f *apiFuzz) checkItem(k string, it *Item, err error, now int64, touch bool, exp int32) {
	f.t.Helper()
	want, wantV, wantErr := Meta{}, []byte(nil), preKeyErr([]byte(k), false)
	if wantErr == nil {
		want, wantV, wantErr = f.m.get([]byte(k), now, touch, exp, f.m.scratch)
	}
	f.checkErr("Get", err, wantErr)
	if err != nil {
		if it != nil {
			f.fail("Get returned an item with error %v", err)
		}
		return
	}
	if it.Key != k || !bytes.Equal(it.Value, wantV) || it.Flags != want.Flags || it.CasID != want.CAS || it.Expiration != 0 {
		f.fail("Get(%q) = %+v, model value %q flags %d cas %d", k, it, wantV, want.Flags, want.CAS)
	}
}

func (f *apiFuzz) getMulti(now int64) {
	keys := make([]string, f.in.byte()%5)
	for i := range keys {
		keys[i] = string(f.heapKey())
	}
	f.note("GetMulti(%q)", keys)
	got, err := f.c.GetMulti(keys)
	want := map[string]*Item{}
	var wantErr error
	for _, k := range keys {
		wantErr = preKeyErr([]byte(k), false)
		var m Meta
		var v []byte
		if wantErr == nil {
			m, v, wantErr = f.m.get([]byte(k), now, false, 0, f.m.scratch)
		}
		if wantErr == ErrCacheMiss {
			wantErr = nil
			continue
		}
		if wantErr != nil {
			want = nil
			break
		}
		want[k] = &Item{Key: k, Value: v, Flags: m.Flags, CasID: m.CAS}
	}
	f.checkErr("GetMulti", err, wantErr)
	if (got == nil) != (want == nil) || len(got) != len(want) {
		f.fail("GetMulti: %d items (nil %v), model %d (nil %v)", len(got), got == nil, len(want), want == nil)
	}
	for k, w := range want {
		if g := got[k]; g == nil || g.Key != k || !bytes.Equal(g.Value, w.Value) || g.Flags != w.Flags || g.CasID != w.CasID {
			f.fail("GetMulti[%q] = %+v, model %+v", k, g, w)
		}
	}
}

// clientStore is Set/Add/Replace/Append/Prepend, or CompareAndSwap.
func (f *apiFuzz) clientStore(op byte, now int64) {
	mode := kv.ModeCAS
	if op%opCount == opClientStore {
		mode = StoreMode(f.in.byte() % 5)
	}
	key := buf{b: f.heapKey()}
	val := f.value(key)
	it := &Item{Key: string(key.b), Value: val.b, Flags: f.in.u32(), Expiration: f.exptime()}
	if mode == kv.ModeCAS {
		it.CasID = f.cas(key)
	}
	f.note("Client %v(key %q, value %v, flags %d, exp %d, cas %d)", mode, it.Key, val, it.Flags, it.Expiration, it.CasID)
	verify := f.guard(val)
	oldCAS := it.CasID
	var err error
	switch mode {
	case kv.ModeSet:
		err = f.c.Set(it)
	case kv.ModeAdd:
		err = f.c.Add(it)
	case kv.ModeReplace:
		err = f.c.Replace(it)
	case kv.ModeAppend:
		err = f.c.Append(it)
	case kv.ModePrepend:
		err = f.c.Prepend(it)
	default:
		err = f.c.CompareAndSwap(it)
	}
	var wantCAS uint64
	wantErr := preKeyErr(key.b, false)
	if wantErr == nil && val.overlap {
		wantErr = ErrOverlap
	}
	if wantErr == nil {
		wantCAS, wantErr = f.m.store(mode, key.b, val.b, it.Flags, it.Expiration, oldCAS, now)
	}
	if mode == kv.ModeCAS && wantErr == ErrCacheMiss {
		wantErr = ErrNotStored // gomemcache's answer for a cas of a missing key
	}
	f.checkErr(mode.String(), err, wantErr)
	if wantErr != nil {
		wantCAS = oldCAS // a failed call leaves the item's CasID alone
	}
	if it.CasID != wantCAS {
		f.fail("%v: item.CasID %d, model %d", mode, it.CasID, wantCAS)
	}
	if val.overlap {
		verify()
	}
}

// checkArith compares an incr/decr answer with the model's.
func (f *apiFuzz) checkArith(k []byte, overlap bool, d uint64, incr bool, got uint64, err error, now int64) {
	f.t.Helper()
	var want uint64
	wantErr := preKeyErr(k, overlap)
	if wantErr == nil {
		want, wantErr = f.m.arith(k, d, incr, now)
	}
	f.checkErr("incr/decr", err, wantErr)
	if got != want {
		f.fail("incr/decr: %d, model %d", got, want)
	}
}

// getInto is Client.GetInto, Session.GetInto or Session.GetAndTouchInto. The destination
// is filled with a marker first: bytes past the value must keep it, and all of it when
// the call fails.
func (f *apiFuzz) getInto(op byte, now int64) {
	var key buf
	if op == opClientGetInto {
		key = buf{b: f.heapKey()}
	} else {
		key = f.key()
	}
	var exp int32
	if op == opGATInto {
		exp = f.exptime()
	}
	dst := f.dst(key)
	if !dst.overlap {
		for i := range dst.b {
			dst.b[i] = 0xA5
		}
	}
	f.note("getInto op %d(key %v, exp %d, dst %v)", op, key, exp, dst)
	verify := f.guard(key, dst)
	var got Meta
	var err error
	switch op {
	case opClientGetInto:
		got, err = f.c.GetInto(key.b, dst.b)
	case opGetInto:
		got, err = f.s.GetInto(key.b, dst.b)
	default:
		got, err = f.s.GetAndTouchInto(key.b, exp, dst.b)
	}
	want, wantV, wantErr := Meta{}, []byte(nil), preKeyErr(key.b, key.overlap)
	if wantErr == nil && dst.overlap {
		wantErr = ErrOverlap
	}
	if wantErr == nil {
		want, wantV, wantErr = f.m.get(key.b, now, op == opGATInto, exp, len(dst.b))
	}
	f.checkErr("GetInto", err, wantErr)
	if got != want {
		f.fail("GetInto meta %+v, model %+v", got, want)
	}
	if key.overlap || dst.overlap {
		verify()
		return
	}
	if !bytes.Equal(dst.b[:len(wantV)], wantV) {
		f.fail("GetInto value %q, model %q", dst.b[:len(wantV)], wantV)
	}
	for _, c := range dst.b[len(wantV):] {
		if c != 0xA5 {
			f.fail("GetInto wrote past the value (or on failure): %q", dst.b)
		}
	}
}

// sessionStore is Session.Store with any mode byte (6 and 7 are not modes).
func (f *apiFuzz) sessionStore(now int64) {
	mode := StoreMode(f.in.byte() % 8)
	key := f.key()
	val := f.value(key)
	flags, exp := f.in.u32(), f.exptime()
	cas := f.cas(key)
	f.note("Session.Store(%v, key %v, value %v, flags %d, exp %d, cas %d)", mode, key, val, flags, exp, cas)
	verify := f.guard(key, val)
	got, err := f.s.Store(mode, key.b, val.b, flags, exp, cas)
	var want uint64
	wantErr := preKeyErr(key.b, key.overlap)
	if wantErr == nil && val.overlap {
		wantErr = ErrOverlap
	}
	if wantErr == nil {
		want, wantErr = f.m.store(mode, key.b, val.b, flags, exp, cas, now)
	}
	f.checkErr(fmt.Sprintf("Session.Store(%v)", mode), err, wantErr)
	if got != want {
		f.fail("Session.Store: CAS %d, model %d", got, want)
	}
	if key.overlap || val.overlap {
		verify()
	}
}

// sessionKeyed is Session.Delete, Incr, Decr or Touch with a key that may lie in the segment.
func (f *apiFuzz) sessionKeyed(now int64) {
	sub := f.in.byte() % 4
	key := f.key()
	verify := f.guard(key)
	switch sub {
	case 0:
		f.note("Session.Delete(%v)", key)
		err := f.s.Delete(key.b)
		f.checkErr("Session.Delete", err, f.preOr(key.b, key.overlap, func() error { return f.m.delete(key.b, now) }))
	case 1, 2:
		d := f.delta()
		f.note("Session.Incr=%v(%v, %d)", sub == 1, key, d)
		var got uint64
		var err error
		if sub == 1 {
			got, err = f.s.Incr(key.b, d)
		} else {
			got, err = f.s.Decr(key.b, d)
		}
		f.checkArith(key.b, key.overlap, d, sub == 1, got, err, now)
	default:
		exp := f.exptime()
		f.note("Session.Touch(%v, %d)", key, exp)
		err := f.s.Touch(key.b, exp)
		f.checkErr("Session.Touch", err, f.preOr(key.b, key.overlap, func() error { return f.m.touch(key.b, exp, now) }))
	}
	if key.overlap {
		verify()
	}
}
