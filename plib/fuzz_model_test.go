package plib

import (
	"bytes"
	"errors"
	"strconv"
	"strings"

	"github.com/plibcached/plibcached/kv"
)

// apiModel is FuzzAPI's reference: memcached's semantics as package kv documents them, over
// a Go map, plus the checks plib makes before a call reaches the store (key length,
// ErrOverlap, values longer than a slot's scratch). It predicts every answer exactly: values,
// flags, CAS ids, expiry times, last-access times and the fetched bit.
type apiModel struct {
	items map[string]*modelItem
	cas   uint64 // the last CAS id handed out: every stored item and every incr/decr takes the next

	flushCAS      uint64 // flush_all now: items with CAS id <= this are gone
	flushDeadline uint64 // delayed flush_all: from this unix time, items stored before it are gone
	flushPassed   uint64 // a deadline that has passed stays in force

	maxItem int // the store's largest item: 56-byte header, key and value
	scratch int // a session's value scratch: a longer value never reaches the store
}

type modelItem struct {
	value   []byte
	flags   uint32
	exp     uint32 // absolute unix time, 0 never
	time    uint32 // stored or last bumped, unix seconds
	cas     uint64
	fetched bool
}

const (
	modelHeaderSize  = 56                // kv's item header
	modelMaxRelative = 60 * 60 * 24 * 30 // exptimes up to 30 days are relative
	modelBumpAfter   = 60                // a read moves an item's time at most once a minute
)

func newAPIModel(maxItem, scratch int) *apiModel {
	return &apiModel{items: map[string]*modelItem{}, maxItem: maxItem, scratch: scratch}
}

// modelRealtime: 0 never expires, negative is already expired (unix time 1), up to 30 days
// is relative to now, beyond that an absolute unix time.
func modelRealtime(exptime int64, now int64) uint32 {
	switch {
	case exptime == 0:
		return 0
	case exptime < 0:
		return 1
	case exptime <= modelMaxRelative:
		exptime += now
	}
	return uint32(min(exptime, 1<<32-1))
}

// preKeyErr is what plib answers before entering the store: a key of the wrong length, or
// one lying in the segment. Key bytes are the store's to judge (modelKeyErr).
func preKeyErr(key []byte, overlap bool) error {
	if len(key) == 0 || len(key) > 250 {
		return ErrMalformedKey
	}
	if overlap {
		return ErrOverlap
	}
	return nil
}

// modelKeyErr: no space, control byte or DEL in a key; every other byte (UTF-8 or not) is fine.
func modelKeyErr(key []byte) error {
	if len(key) == 0 || len(key) > 250 {
		return ErrMalformedKey
	}
	for _, c := range key {
		if c <= ' ' || c == 0x7f {
			return ErrMalformedKey
		}
	}
	return nil
}

// live returns key's item unless it has expired or been flushed (then it is forgotten).
func (m *apiModel) live(key string, now int64) *modelItem {
	it := m.items[key]
	if it == nil {
		return nil
	}
	if (it.exp != 0 && int64(it.exp) <= now) || (m.flushCAS != 0 && it.cas <= m.flushCAS) ||
		(m.flushDeadline != 0 && uint64(now) >= m.flushDeadline && uint64(it.time) < m.flushDeadline) ||
		(m.flushPassed != 0 && uint64(it.time) < m.flushPassed) {
		delete(m.items, key)
		return nil
	}
	return it
}

func (it *modelItem) bump(now int64) {
	if now-int64(it.time) >= modelBumpAfter {
		it.time = uint32(now)
	}
}

// get is a read of key into room bytes (gat when touch). Like the store, a read that does
// not fit changes nothing and reports the item's Meta.
func (m *apiModel) get(key []byte, now int64, touch bool, exptime int32, room int) (Meta, []byte, error) {
	if err := modelKeyErr(key); err != nil {
		return Meta{}, nil, err
	}
	it := m.live(string(key), now)
	if it == nil {
		return Meta{}, nil, ErrCacheMiss
	}
	meta := Meta{Flags: it.flags, CAS: it.cas, Len: len(it.value), Exp: int64(it.exp), LastAccess: int64(it.time), Fetched: it.fetched}
	if room < len(it.value) {
		return meta, nil, ErrBufferTooSmall
	}
	it.fetched = true
	if touch {
		it.exp = modelRealtime(int64(exptime), now)
		meta.Exp = int64(it.exp)
	}
	it.bump(now)
	return meta, it.value, nil
}

// store is Session.Store after its key and overlap checks.
func (m *apiModel) store(mode StoreMode, key, value []byte, flags uint32, exptime int32, cas uint64, now int64) (uint64, error) {
	k := string(key)
	if len(value) > m.scratch { // refused before the store: its order of checks does not apply
		if mode == kv.ModeSet && modelKeyErr(key) == nil && m.live(k, now) != nil {
			delete(m.items, k)
		}
		return 0, ErrValueTooLarge
	}
	switch {
	case modelKeyErr(key) != nil:
		return 0, ErrMalformedKey
	case mode > kv.ModeCAS:
		return 0, errors.Join(ErrStore, kv.ErrBadMode)
	case mode == kv.ModeCAS && cas == 0:
		return 0, errors.Join(ErrStore, kv.ErrInvalidCAS)
	}
	old := m.live(k, now)
	switch {
	case mode == kv.ModeAdd && old != nil:
		return 0, ErrNotStored
	case (mode == kv.ModeReplace || mode == kv.ModeAppend || mode == kv.ModePrepend) && old == nil:
		return 0, ErrNotStored
	case mode == kv.ModeCAS && old == nil:
		return 0, ErrCacheMiss
	case mode == kv.ModeCAS && old.cas != cas:
		return 0, ErrCASConflict
	}
	exp := modelRealtime(int64(exptime), now)
	v := bytes.Clone(value)
	switch mode {
	case kv.ModeAppend:
		v, flags, exp = append(bytes.Clone(old.value), value...), old.flags, old.exp
	case kv.ModePrepend:
		v, flags, exp = append(bytes.Clone(value), old.value...), old.flags, old.exp
	}
	if modelHeaderSize+len(key)+len(v) > m.maxItem {
		if mode == kv.ModeSet && old != nil {
			delete(m.items, k)
		}
		return 0, ErrValueTooLarge
	}
	m.cas++
	m.items[k] = &modelItem{value: v, flags: flags, exp: exp, time: uint32(now), cas: m.cas}
	return m.cas, nil
}

// arith is incr/decr: a number that still fits is rewritten in place, padded with spaces
// (the item keeps its time and fetched bit); a longer one makes a new item.
func (m *apiModel) arith(key []byte, delta uint64, incr bool, now int64) (uint64, error) {
	if err := modelKeyErr(key); err != nil {
		return 0, err
	}
	it := m.live(string(key), now)
	if it == nil {
		return 0, ErrCacheMiss
	}
	v, ok := modelParse(it.value)
	if !ok {
		return 0, ErrNonNumeric
	}
	switch {
	case incr:
		v += delta
	case delta > v:
		v = 0
	default:
		v -= delta
	}
	digits := strconv.FormatUint(v, 10)
	m.cas++
	if len(digits) <= len(it.value) {
		it.value = append([]byte(digits), bytes.Repeat([]byte{' '}, len(it.value)-len(digits))...)
		it.cas = m.cas
		return v, nil
	}
	m.items[string(key)] = &modelItem{value: []byte(digits), flags: it.flags, exp: it.exp, time: uint32(now), cas: m.cas}
	return v, nil
}

// modelParse is memcached's safe_strtoull: strtoull's number (after ASCII whitespace,
// with an optional sign), which must be followed by the end, whitespace or a NUL; a '-'
// that makes the number negative fails.
func modelParse(b []byte) (uint64, bool) {
	t := bytes.TrimLeft(b, " \t\n\r\v\f")
	end := bytes.IndexAny(t, " \t\n\r\v\f\x00")
	if end < 0 {
		end = len(t)
	}
	tok := string(t[:end])
	neg := strings.HasPrefix(tok, "-")
	tok = strings.TrimPrefix(strings.TrimPrefix(tok, "+"), "-")
	if tok == "" || tok[0] < '0' || tok[0] > '9' {
		return 0, false
	}
	v, err := strconv.ParseUint(tok, 10, 64)
	if err != nil {
		return 0, false
	}
	if neg {
		if v = -v; int64(v) < 0 {
			return 0, false
		}
	}
	return v, true
}

func (m *apiModel) delete(key []byte, now int64) error {
	if err := modelKeyErr(key); err != nil {
		return err
	}
	if m.live(string(key), now) == nil {
		return ErrCacheMiss
	}
	delete(m.items, string(key))
	return nil
}

func (m *apiModel) touch(key []byte, exptime int32, now int64) error {
	if err := modelKeyErr(key); err != nil {
		return err
	}
	it := m.live(string(key), now)
	if it == nil {
		return ErrCacheMiss
	}
	it.exp = modelRealtime(int64(exptime), now)
	it.bump(now)
	return nil
}

// flush is flush_all: now (delay <= 0), or for items stored before the time delay names. A
// deadline that has passed keeps its effect when a later flush_all replaces it.
func (m *apiModel) flush(delay int32, now int64) {
	if m.flushDeadline != 0 && uint64(now) >= m.flushDeadline {
		m.flushPassed = max(m.flushPassed, m.flushDeadline)
	}
	if delay <= 0 {
		m.flushDeadline = 0
		m.flushCAS = m.cas
		return
	}
	m.flushDeadline = uint64(modelRealtime(int64(delay), now))
}

// sameErr: the API returns its sentinels bare, so most answers compare with ==; an
// ErrStore answer wraps the store's error, and the model's names both.
func sameErr(got, want error) bool {
	if got == nil || want == nil {
		return got == want
	}
	if j, ok := want.(interface{ Unwrap() []error }); ok {
		for _, e := range j.Unwrap() {
			if !errors.Is(got, e) {
				return false
			}
		}
		return true
	}
	return got == want
}
