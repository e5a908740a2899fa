package workloads

import "strconv"

// OpType is the kind of one operation of a YCSB run.
type OpType uint8

// The operations of YCSB's CoreWorkload. A CoreWorkload never chooses OpScan (see
// ErrScanUnsupported); it exists so reports can name every YCSB operation.
const (
	OpRead OpType = iota
	OpUpdate
	OpInsert
	OpReadModifyWrite
	OpScan
)

// String returns YCSB's report name: "READ", "UPDATE", "INSERT", "READ-MODIFY-WRITE", "SCAN".
func (t OpType) String() string {
	switch t {
	case OpRead:
		return "READ"
	case OpUpdate:
		return "UPDATE"
	case OpInsert:
		return "INSERT"
	case OpReadModifyWrite:
		return "READ-MODIFY-WRITE"
	case OpScan:
		return "SCAN"
	}
	return "OpType(" + strconv.Itoa(int(t)) + ")"
}

// Op is one operation chosen by a Thread: what to do, and to which record. KeyNum is the
// record number; CoreWorkload.KeyName turns it into the key.
type Op struct {
	Type   OpType
	KeyNum int64
}
