package workloads

import (
	"fmt"
	"math"
)

// CoreWorkload is a validated YCSB CoreWorkload: the record set, the operation mix and the key
// and value distributions of one run. The exported fields mirror the properties they come from
// (named in each comment); they are for reading: NewCoreWorkload builds the generators from
// them, and changing them afterwards is not supported.
//
// A CoreWorkload is safe for concurrent use. Each client thread draws its operations from its
// own Thread (NewThread).
type CoreWorkload struct {
	RecordCount    int64 // recordcount (YCSB: 0 means 2147483647)
	OperationCount int64 // operationcount
	InsertStart    int64 // insertstart: first record this client loads
	InsertCount    int64 // insertcount: records this client loads (default recordcount − insertstart)

	FieldCount              int    // fieldcount: fields per record, stored together as one value
	FieldLength             int    // fieldlength: bytes per field (the maximum, if not constant)
	MinFieldLength          int    // minfieldlength: shortest field for uniform or zipfian lengths
	FieldLengthDistribution string // fieldlengthdistribution: constant, uniform or zipfian

	ReadProportion            float64 // readproportion
	UpdateProportion          float64 // updateproportion
	InsertProportion          float64 // insertproportion
	ReadModifyWriteProportion float64 // readmodifywriteproportion
	ScanProportion            float64 // scanproportion: always 0 (memcached cannot scan)

	RequestDistribution   string  // requestdistribution: uniform, zipfian, latest, hotspot, sequential, exponential
	HotspotDataFraction   float64 // hotspotdatafraction: share of records in the hot set
	HotspotOpnFraction    float64 // hotspotopnfraction: share of operations on the hot set
	ExponentialPercentile float64 // exponential.percentile
	ExponentialFrac       float64 // exponential.frac

	ZeroPadding int  // zeropadding: digits the key number is zero-padded to
	Ordered     bool // insertorder=ordered (keys are user<keynum>) rather than hashed

	// InsertVisibility (insertvisibility, a plibcached property) says which inserts readers may
	// choose: "thread" (the default) makes every thread's stream depend on the seed alone;
	// "acknowledged" is YCSB's shared AcknowledgedCounter. See the package documentation.
	InsertVisibility string

	ops       opChooser
	fields    fieldLengths
	scrambled scrambledZipfian     // requestdistribution=zipfian
	acked     *acknowledgedCounter // insertvisibility=acknowledged: YCSB's transactioninsertkeysequence
}

// YCSB's defaults for the properties that have no zero default.
const (
	defaultFieldCount            = 10
	defaultFieldLength           = 100
	defaultReadProportion        = 0.95
	defaultUpdateProportion      = 0.05
	defaultHotspotDataFraction   = 0.2
	defaultHotspotOpnFraction    = 0.8
	defaultExponentialPercentile = 95
	defaultExponentialFrac       = 0.8571428571
	defaultZeroPadding           = 1

	// maxRecordLength bounds fieldcount·fieldlength (memcached itself stops at 1 MiB by default).
	maxRecordLength = 1 << 30
	// memcachedKeyMax is memcached's KEY_MAX_LENGTH: zeropadding may not make keys longer.
	memcachedKeyMax = 250
	// proportionSlack is how far from 1 the sum of the proportions may be, for decimal rounding.
	proportionSlack = 1e-6
)

// NewCoreWorkload checks p and builds the workload. Unset properties take YCSB's defaults.
// Every bad value is reported, joined into one error: each wraps ErrBadProperty and names the
// property and value; a positive scanproportion wraps ErrScanUnsupported.
func NewCoreWorkload(p Properties) (*CoreWorkload, error) {
	r := &propertyReader{p: p}
	w := &CoreWorkload{}
	w.readCounts(r)
	w.readFields(r)
	w.readMix(r)
	w.readDistribution(r)
	if err := r.err(); err != nil {
		return nil, err
	}
	if w.ScanProportion > 0 {
		return nil, fmt.Errorf("%w: scanproportion=%g (YCSB workload E); memcached keeps no key order to scan", ErrScanUnsupported, w.ScanProportion)
	}
	w.ops = newOpChooser(w.ReadProportion, w.UpdateProportion, w.InsertProportion, w.ScanProportion, w.ReadModifyWriteProportion)
	w.fields = newFieldLengths(w.FieldLengthDistribution, int64(w.FieldCount), int64(w.FieldLength), int64(w.MinFieldLength))
	if w.RequestDistribution == "zipfian" {
		// YCSB sizes the key space for the inserts it expects (twice insertproportion of the
		// operations, its "fudge factor"), so that inserts do not shift which keys are hot;
		// keys not yet inserted are drawn again.
		expectedNewKeys := int64(float64(w.OperationCount) * w.InsertProportion * 2.0)
		w.scrambled = newScrambledZipfian(w.InsertStart, w.InsertStart+w.InsertCount+expectedNewKeys)
	}
	if w.InsertVisibility == insertVisibilityAcknowledged {
		w.acked = newAcknowledgedCounter(w.RecordCount, sharedAckWindow)
	}
	return w, nil
}

// readCounts reads the record and operation counts.
func (w *CoreWorkload) readCounts(r *propertyReader) {
	w.RecordCount = r.int64(propRecordCount, 0, 0, math.MaxInt64/2)
	if w.RecordCount == 0 {
		w.RecordCount = math.MaxInt32 // as YCSB's CoreWorkload.init
	}
	w.OperationCount = r.int64(propOperationCount, 0, 0, math.MaxInt64)
	w.InsertStart = r.int64(propInsertStart, 0, 0, w.RecordCount-1)
	w.InsertCount = r.int64(propInsertCount, w.RecordCount-w.InsertStart, 1, w.RecordCount-w.InsertStart)
}

// readFields reads the record layout and the key format.
func (w *CoreWorkload) readFields(r *propertyReader) {
	w.FieldCount = int(r.int64(propFieldCount, defaultFieldCount, 1, maxRecordLength))
	w.FieldLength = int(r.int64(propFieldLength, defaultFieldLength, 1, maxRecordLength))
	w.FieldLengthDistribution = r.choice(propFieldLengthDist, "constant", "constant", "uniform", "zipfian")
	w.MinFieldLength = int(r.int64(propMinFieldLength, 1, 1, int64(w.FieldLength)))
	if total := int64(w.FieldCount) * int64(w.FieldLength); total > maxRecordLength {
		r.fail(propFieldLength, fmt.Sprint(w.FieldLength), "fieldcount·fieldlength = %d bytes, more than %d", total, maxRecordLength)
	}
	w.ZeroPadding = int(r.int64(propZeroPadding, defaultZeroPadding, 0, memcachedKeyMax-int64(len("user"))))
	w.Ordered = r.choice(propInsertOrder, "hashed", "hashed", "ordered") == "ordered"
}

// readMix reads the operation proportions, which must sum to 1.
func (w *CoreWorkload) readMix(r *propertyReader) {
	w.ReadProportion = r.float(propReadProportion, defaultReadProportion, 0, 1)
	w.UpdateProportion = r.float(propUpdateProportion, defaultUpdateProportion, 0, 1)
	w.InsertProportion = r.float(propInsertProportion, 0, 0, 1)
	w.ReadModifyWriteProportion = r.float(propRMWProportion, 0, 0, 1)
	w.ScanProportion = r.float(propScanProportion, 0, 0, 1)
	sum := w.ReadProportion + w.UpdateProportion + w.InsertProportion + w.ReadModifyWriteProportion + w.ScanProportion
	if math.Abs(sum-1) > proportionSlack {
		r.fail(propReadProportion, fmt.Sprint(w.ReadProportion),
			"the proportions (read %g + update %g + insert %g + readmodifywrite %g + scan %g) sum to %g, not 1",
			w.ReadProportion, w.UpdateProportion, w.InsertProportion, w.ReadModifyWriteProportion, w.ScanProportion, sum)
	}
}

// readDistribution reads the request distribution and its parameters.
func (w *CoreWorkload) readDistribution(r *propertyReader) {
	w.RequestDistribution = r.choice(propRequestDistribution, "uniform",
		"uniform", "zipfian", "latest", "hotspot", "sequential", "exponential")
	w.HotspotDataFraction = r.float(propHotspotDataFraction, defaultHotspotDataFraction, 0, 1)
	w.HotspotOpnFraction = r.float(propHotspotOpnFraction, defaultHotspotOpnFraction, 0, 1)
	w.ExponentialPercentile = r.float(propExponentialPercent, defaultExponentialPercentile, 0, 100)
	if w.ExponentialPercentile <= 0 || w.ExponentialPercentile >= 100 {
		r.fail(propExponentialPercent, fmt.Sprint(w.ExponentialPercentile), "must be strictly between 0 and 100")
	}
	w.ExponentialFrac = r.float(propExponentialFrac, defaultExponentialFrac, 0, math.MaxFloat64)
	if w.ExponentialFrac <= 0 {
		r.fail(propExponentialFrac, fmt.Sprint(w.ExponentialFrac), "must be positive")
	}
	w.InsertVisibility = r.choice(propInsertVisibility, insertVisibilityThread, insertVisibilityThread, insertVisibilityAcknowledged)
}

// LoadRange returns the half-open range [start, end) of record numbers that load thread
// `thread` of `threads` inserts: [insertstart, insertstart+insertcount) cut into `threads`
// contiguous parts whose sizes differ by at most one, the larger first (as YCSB's client
// divides its operation count). It returns an empty range for a thread outside [0, threads).
func (w *CoreWorkload) LoadRange(thread, threads int) (start, end int64) {
	if threads < 1 || thread < 0 || thread >= threads {
		return w.InsertStart, w.InsertStart
	}
	n, t := w.InsertCount, int64(threads)
	per, extra := n/t, n%t
	i := int64(thread)
	start = w.InsertStart + i*per + min(i, extra)
	end = start + per
	if i < extra {
		end++
	}
	return start, end
}
