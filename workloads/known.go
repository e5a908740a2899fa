package workloads

import "strings"

// The property names NewCoreWorkload reads, and the values of insertvisibility.
const (
	propRecordCount              = "recordcount"
	propOperationCount           = "operationcount"
	propReadProportion           = "readproportion"
	propUpdateProportion         = "updateproportion"
	propInsertProportion         = "insertproportion"
	propRMWProportion            = "readmodifywriteproportion"
	propScanProportion           = "scanproportion"
	propRequestDistribution      = "requestdistribution"
	propInsertOrder              = "insertorder"
	propInsertStart              = "insertstart"
	propInsertCount              = "insertcount"
	propZeroPadding              = "zeropadding"
	propFieldCount               = "fieldcount"
	propFieldLength              = "fieldlength"
	propMinFieldLength           = "minfieldlength"
	propFieldLengthDist          = "fieldlengthdistribution"
	propHotspotDataFraction      = "hotspotdatafraction"
	propHotspotOpnFraction       = "hotspotopnfraction"
	propExponentialPercent       = "exponential.percentile"
	propExponentialFrac          = "exponential.frac"
	propInsertVisibility         = "insertvisibility"
	insertVisibilityThread       = "thread"
	insertVisibilityAcknowledged = "acknowledged"
)

// usedProperties are the names NewCoreWorkload reads; typos are matched against them.
var usedProperties = []string{
	propRecordCount, propOperationCount, propReadProportion, propUpdateProportion,
	propInsertProportion, propRMWProportion, propScanProportion, propRequestDistribution,
	propInsertOrder, propInsertStart, propInsertCount, propZeroPadding, propFieldCount,
	propFieldLength, propMinFieldLength, propFieldLengthDist, propHotspotDataFraction,
	propHotspotOpnFraction, propExponentialPercent, propExponentialFrac, propInsertVisibility,
}

// otherYCSBProperties are names YCSB's client and CoreWorkload know that this package accepts
// without acting on: they concern the client (threads, targets, measurements, which the
// harness handles), scans, or field names, which a memcached value does not have.
var otherYCSBProperties = []string{
	"workload", "db", "threadcount", "target", "maxexecutiontime", "dotransactions", "status",
	"label", "exporter", "exportfile", "measurementtype", "histogram.buckets",
	"timeseries.granularity", "reportlatencyforeacherror", "latencytrackederrors",
	"table", "readallfields", "readallfieldsbyname", "writeallfields", "dataintegrity",
	"fieldnameprefix", "fieldlengthhistogram", "minscanlength", "maxscanlength",
	"scanlengthdistribution", "core_workload_insertion_retry_limit",
	"core_workload_insertion_retry_interval",
}

// reservedPrefixes mark names that belong to another layer: YCSB's measurement and tracing
// options, YCSB's memcached binding, and this project's harness and protected library.
var reservedPrefixes = []string{"hdrhistogram.", "measurement.", "htrace.", "status.", "memcached.", "plib.", "harness."}

// isKnownProperty reports whether a property name is read by this package or left, knowingly,
// to another layer.
func isKnownProperty(name string) bool {
	for _, list := range [][]string{usedProperties, otherYCSBProperties} {
		for _, k := range list {
			if k == name {
				return true
			}
		}
	}
	for _, p := range reservedPrefixes {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

// closestProperty returns the used property name within edit distance 2 of name, or "".
func closestProperty(name string) string {
	best, bestDist := "", 3
	lower := strings.ToLower(name)
	for _, k := range usedProperties {
		if d := editDistance(lower, k); d < bestDist {
			best, bestDist = k, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b (bytes).
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
