#!/usr/bin/env bash
# codesize.sh: the paper's code-size comparison (slide 16, abstract: "24% less code"), rerunnable.
#
# Counts code lines (not blank, not comment-only; scripts/sloc, which matches cloc's "code"
# column) of
#   - this project's protected library, the counterpart of the paper's modified memcached:
#     kv/ and plib/ (non-test .go and .s files; testdata excluded), and the same plus cmd/plibd
#     (the optional network front end) when it exists;
#   - memcached's own C sources, as the paper counted them: the *.c and *.h files at the top of
#     its source tree, from Debian's source package of the memcached Debian ships (1.6.x),
#     fetched by scripts/memcached-src.sh (`apt-get source` through a private sources list
#     derived from the system's own apt configuration; nothing on the system changes), or
#     from MEMCACHED_SRC=/path/to/memcached-1.6.x if set.
# and prints both, the ratio, and memcached's breakdown (the 1.6 proxy and test programs, which
# postdate or sit outside the paper's count, shown apart).
set -euo pipefail
cd "$(dirname "$0")/.."
work=${CODESIZE_WORK:-${TMPDIR:-/tmp}/plibcached-codesize}

fetch_memcached() {
  # Debian's source package, from deb-src lines derived from this system's apt configuration.
  MEMCACHED_SRC=$(scripts/memcached-src.sh "$work" upstream) # upstream's files, as the paper counted
  echo "memcached source: Debian's orig tarball, $(basename "$MEMCACHED_SRC")"
}

if [ -z "${MEMCACHED_SRC:-}" ]; then
  fetch_memcached
fi

sloc() { go run ./scripts/sloc "$@"; }

ours=$(git ls-files 'kv/*.go' 'kv/*.s' 'plib/*.go' 'plib/*.s' | grep -v '_test\.go$' | grep -v '/testdata/')
sloc -label "plibcached kv+plib" $ours | tee "$work/ours.txt"
plibd=$(git ls-files 'cmd/plibd/*.go' | grep -v '_test\.go$' || true)
if [ -n "$plibd" ]; then
  sloc -label "plibcached kv+plib+cmd/plibd" $ours $plibd | tee "$work/ours-plibd.txt"
fi

mc=$(ls "$MEMCACHED_SRC"/*.c "$MEMCACHED_SRC"/*.h)
sloc -label "memcached $(basename "$MEMCACHED_SRC") top-level *.c *.h" $mc | tee "$work/theirs.txt"
proxy=$(ls "$MEMCACHED_SRC"/proxy*.[ch] "$MEMCACHED_SRC"/md5.[ch] 2>/dev/null || true)
tests=$(ls "$MEMCACHED_SRC"/testapp.c "$MEMCACHED_SRC"/timedrun.c "$MEMCACHED_SRC"/sizes.c 2>/dev/null || true)
[ -n "$proxy" ] && sloc -label "  of which the proxy (proxy*.c/h, md5.c/h; 1.6.x, after the paper)" $proxy
[ -n "$tests" ] && sloc -label "  of which test programs (testapp.c, timedrun.c, sizes.c)" $tests

count() { sed -E 's/.*: ([0-9]+) code lines.*/\1/' "$1"; }
o=$(count "$work/ours.txt"); t=$(count "$work/theirs.txt")
awk -v o="$o" -v t="$t" 'BEGIN { printf "kv+plib is %.0f%% of memcached'"'"'s C: %.0f%% less code (paper: 24%% less)\n", 100*o/t, 100*(1-o/t) }'
