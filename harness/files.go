package harness

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// WriteResultFiles writes r as JSON and CSV into dir (created if missing) and returns the two
// paths. File names carry the phase, workload, backend, process and thread counts and the start
// time to the millisecond, so a sweep's files sort and do not collide.
func WriteResultFiles(dir string, r *Result) (jsonPath, csvPath string, err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", "", err
	}
	base := filepath.Join(dir, resultBaseName(r))
	jsonPath, csvPath = base+".json", base+".csv"
	if err := WriteFile(jsonPath, func(w io.Writer) error { return WriteResultJSON(w, r) }); err != nil {
		return "", "", err
	}
	if err := WriteFile(csvPath, func(w io.Writer) error { return WriteResultCSV(w, r) }); err != nil {
		return "", "", err
	}
	return jsonPath, csvPath, nil
}

// resultBaseName is "ycsb-run-workloadb-memcached-p1-t8-20260101T120000.123Z", after the
// measurement's start.
func resultBaseName(r *Result) string {
	return fmt.Sprintf("ycsb-%s-%s-%s-p%d-t%d-%s", r.Phase, safeName(r.Workload), safeName(r.Backend),
		max(r.Processes, 1), r.Threads, r.Start.UTC().Format("20060102T150405.000Z"))
}

var unsafeNameChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// safeName makes s usable in a file name.
func safeName(s string) string {
	if s == "" {
		return "unnamed"
	}
	return unsafeNameChars.ReplaceAllString(s, "_")
}

// WriteFile creates path and fills it with write, reporting the first error of either.
func WriteFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}

// WriteResultJSON writes r as indented JSON.
func WriteResultJSON(w io.Writer, r *Result) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// ReadResultJSON reads a Result written by WriteResultJSON.
func ReadResultJSON(rd io.Reader) (*Result, error) {
	var r Result
	if err := json.NewDecoder(rd).Decode(&r); err != nil {
		return nil, err
	}
	return &r, nil
}

// resultCSVHeader names the columns of WriteResultCSV: the run, the operation, the environment.
var resultCSVHeader = []string{
	"timestamp", "phase", "backend", "workload", "recordcount", "operationcount", "processes", "threads",
	"server_threads", "warmup_ms", "runtime_ms", "throughput_ops_per_sec",
	"operation", "count", "ok", "not_found", "mean_us", "min_us", "max_us", "p50_us", "p95_us", "p99_us", "p999_us",
	"machine", "hostname", "cpu_model", "cores", "kernel", "go_version", "memcached_version", "pku", "git_commit", "properties",
}

// WriteResultCSV writes one row per operation type, each carrying the run and its environment so
// rows from many files concatenate into one table.
func WriteResultCSV(w io.Writer, r *Result) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(resultCSVHeader); err != nil {
		return err
	}
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	for _, op := range r.Ops {
		row := []string{
			r.Env.Timestamp.UTC().Format("2006-01-02T15:04:05Z"), r.Phase, r.Backend, r.Workload,
			r.Properties["recordcount"], r.Properties["operationcount"], strconv.Itoa(max(r.Processes, 1)),
			strconv.Itoa(r.Threads), strconv.Itoa(r.ServerThreads), f(r.WarmupMs), f(round3(r.RuntimeMs)), f(round3(r.Throughput)),
			op.Name, strconv.FormatInt(op.Count, 10), strconv.FormatInt(op.OK, 10), strconv.FormatInt(op.NotFound, 10),
			f(round3(op.MeanUs)), f(op.MinUs), f(op.MaxUs), f(op.P50Us), f(op.P95Us), f(op.P99Us), f(op.P999Us),
			r.Env.Machine, r.Env.Hostname, r.Env.CPUModel, strconv.Itoa(r.Env.Cores), r.Env.Kernel, r.Env.GoVersion,
			r.Env.MemcachedVersion, strconv.FormatBool(r.Env.PKU), r.Env.GitCommit, propertiesString(r.Properties),
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// propertiesString renders properties as "k=v;k=v", sorted by key.
func propertiesString(p map[string]string) string {
	keys := sortedKeys(p)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + p[k]
	}
	return strings.Join(parts, ";")
}
