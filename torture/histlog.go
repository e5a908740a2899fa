package torture

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// monoNow reads CLOCK_MONOTONIC, which every process on the machine shares (Go's
// time.Now keeps a monotonic reading relative to its own process's start, useless across
// processes).
func monoNow() int64 {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err != nil {
		panic(err)
	}
	return ts.Nano()
}

// record is one line of a history file: an operation's call ("c", written before the
// operation starts) or its return ("r", written after it returns), matched by ID.
type record struct {
	Kind string `json:"k"`
	ID   uint64 `json:"id"`
	T    int64  `json:"t"`
	Key  int    `json:"key,omitempty"`
	Op   OpKind `json:"op,omitempty"`
	Val  string `json:"v,omitempty"`
	D    uint64 `json:"d,omitempty"`
	CAS  uint64 `json:"cas,omitempty"`
	Res  Result `json:"res,omitempty"`
	Num  uint64 `json:"n,omitempty"`
}

// histLog is a history file. Each record is one write(2) on an unbuffered file, so a
// SIGKILL loses at most the return record of the operation in flight.
type histLog struct {
	f    *os.File
	next uint64
}

func histPath(dir string, id uint64) string {
	return filepath.Join(dir, fmt.Sprintf("hist-%05d.jsonl", id))
}

func openHistLog(dir string, id uint64) (*histLog, error) {
	f, err := os.OpenFile(histPath(dir, id), os.O_WRONLY|os.O_CREATE|os.O_APPEND|os.O_EXCL, 0o644)
	if err != nil {
		return nil, err
	}
	return &histLog{f: f}, nil
}

func (h *histLog) write(r *record) {
	b, err := json.Marshal(r)
	if err != nil {
		panic(err)
	}
	if _, err := h.f.Write(append(b, '\n')); err != nil {
		panic(fmt.Sprintf("torture: history write: %v", err))
	}
}

// call logs an operation's invocation, timestamped just before it starts, and returns its id.
func (h *histLog) call(key int, in Input) uint64 {
	h.next++
	h.write(&record{Kind: "c", ID: h.next, T: monoNow(), Key: key, Op: in.Op, Val: in.Val, D: in.Delta, CAS: in.CAS})
	return h.next
}

// ret logs operation id's result, timestamped just after it returned.
func (h *histLog) ret(id uint64, out Output) {
	h.write(&record{Kind: "r", ID: id, T: monoNow(), Res: out.Res, Val: out.Val, CAS: out.CAS, Num: out.Num})
}

func (h *histLog) close() error { return h.f.Close() }

// readHistory parses a history file into its records. A final line without its newline
// (a write cut short) is dropped; any other malformed line is an error.
func readHistory(path string) ([]record, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	lines := bytes.Split(b, []byte{'\n'})
	lines = lines[:len(lines)-1] // the part after the last newline: empty, or cut short
	recs := make([]record, 0, len(lines))
	for i, l := range lines {
		var r record
		if err := json.Unmarshal(l, &r); err != nil {
			return nil, fmt.Errorf("%s:%d: %v", path, i+1, err)
		}
		recs = append(recs, r)
	}
	return recs, nil
}
