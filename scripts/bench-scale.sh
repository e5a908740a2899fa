#!/usr/bin/env bash
# bench-scale.sh: how plib-nopku scales with client threads (make bench-scale).
#
# The ycsb binary runs both paper mixes on plib-nopku at 1, 2 and 4 client threads and at
# each record count, rounds alternating so that drift on a shared machine falls on every
# cell alike; the table gives the median throughput of each cell and the 2t/1t and 4t/1t
# ratios. Then kv's BenchmarkParallel reports, per kind of lock, the contended
# acquisitions per operation at -cpu 1,2,4.
#
# RECORDS (default "1000000 10000000"), ROUNDS (3), DURATION (5s) and WARMUP (1s) override
# the defaults. With more client threads than cores the figures measure contention, not
# scaling: the table says so.
set -euo pipefail
cd "$(dirname "$0")/.."
RECORDS=${RECORDS:-"1000000 10000000"}
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-5s}
WARMUP=${WARMUP:-1s}
THREADS="1 2 4"
cores=$(nproc)
mkdir -p bin
go build -o bin/ycsb ./cmd/ycsb
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for records in $RECORDS; do
  for round in $(seq "$ROUNDS"); do
    for mix in paper-readheavy paper-writeheavy; do
      for t in $THREADS; do
        tput=$(bin/ycsb loadrun -db plib-nopku -P "workloads/$mix" -p recordcount="$records" \
          -threads "$t" -duration "$DURATION" -warmup "$WARMUP" -q -results "" 2>&1 |
          awk -F', ' '/^# run phase/ {run=1} run && /Throughput/ {print $3; exit}')
        echo "$records $mix $t $round $tput" >>"$out"
        echo "bench-scale: $records records, $mix, $t thread(s), round $round: $tput ops/s" >&2
      done
    done
  done
done
echo
echo "plib-nopku throughput, ops/s (median of $ROUNDS alternating rounds, $DURATION each; $cores cores)"
awk -v cores="$cores" '
  { v[$1" "$2" "$3] = v[$1" "$2" "$3] " " $5; keys[$1" "$2] = 1 }
  function median(s,   a, n, i, j, t) {
    n = split(s, a, " ")
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  END {
    printf "%-10s %-17s %12s %12s %12s %8s %8s\n", "records", "mix", "1 thread", "2 threads", "4 threads", "2t/1t", "4t/1t"
    for (k in keys) {
      split(k, f, " ")
      m1 = median(v[k" 1"]); m2 = median(v[k" 2"]); m4 = median(v[k" 4"])
      printf "%-10s %-17s %12.0f %12.0f %12.0f %8.2f %8.2f\n", f[1], f[2], m1, m2, m4, m2 / m1, m4 / m1
    }
    if (cores < 4) printf "(4 threads on %d cores: oversubscribed, so 4t/1t measures contention, not scaling)\n", cores
  }' "$out" | sort -k1,1n -k2,2
echo
echo "kv lock contention per operation (BenchmarkParallel, zipfian keys):"
go test -run '^$' -bench 'BenchmarkParallel/zipfian' -cpu 1,2,4 -benchtime 1000000x ./kv | grep '^Benchmark'
