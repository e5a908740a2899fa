#!/usr/bin/env bash
# conformance.sh: memcached 1.6.18's own test suite (t/*.t, text and meta protocols) against
# plibd and, as a control in the same run, against stock memcached; prints a table
# file | memcached | plibd and exits non-zero if a file passes on memcached but not on plibd.
#
# memcached's source is Debian's source package of the installed memcached
# (scripts/memcached-src.sh, sources derived from the system's apt configuration), or
# MEMCACHED_SRC=/path/to/memcached-1.6.x. Its t/lib/MemcachedTest.pm starts
# <builddir>/memcached-debug under <builddir>/timedrun; each side gets a builddir of its own:
# stock memcached's memcached-debug is /usr/bin/memcached, plibd's is the option-mapping
# stand-in scripts/conformance/memcached-debug. Files not run are listed, with reasons, in
# scripts/conformance/excluded.txt. CONFORMANCE_TESTS="a.t b.t" runs only those.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
work=${CONFORMANCE_WORK:-${TMPDIR:-/tmp}/plibcached-conformance}
mkdir -p "$work"
work=$(cd "$work" && pwd)
src=${MEMCACHED_SRC:-$(scripts/memcached-src.sh "$work")}
command -v prove >/dev/null || { echo "conformance: prove (perl) is missing" >&2; exit 1; }

# The control: memcached-debug built from that source, as memcached's own "make test" does
# (the suite needs the debug build: debugtime, -o relaxed_privileges). It needs libevent's
# headers (Debian: libevent-dev, installed here when running as root).
build=$work/build
if [ ! -x "$build/memcached-debug" ]; then
  if [ ! -e /usr/include/event.h ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libevent-dev >/dev/null 2>&1 ||
      (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libevent-dev >/dev/null)
  fi
  rm -rf "$build" && mkdir -p "$build"
  (cd "$build" && "$src/configure" --disable-sasl --disable-extstore --disable-tls --disable-docs &&
    make -j"$(nproc)" memcached-debug timedrun) >"$work/build.log" 2>&1 || {
    echo "conformance: building memcached-debug failed (libevent-dev missing?); see $work/build.log" >&2
    exit 1
  }
fi
memcached=${MEMCACHED:-$build/memcached-debug}
cp "$build/timedrun" "$work/timedrun"
go build -o "$work/plibd" ./cmd/plibd

setup() { # builddir exe
  rm -rf "$1" && mkdir -p "$1"
  ln -s "$src/t" "$1/t"
  [ -d "$src/doc" ] && ln -s "$src/doc" "$1/doc"
  cp "$work/timedrun" "$1/timedrun"
  ln -s "$2" "$1/memcached-debug"
}
setup "$work/memcached" "$memcached"
setup "$work/plibd-run" "$root/scripts/conformance/memcached-debug"

excluded=$(grep -v '^#' scripts/conformance/excluded.txt | awk 'NF { print $1 }')
if [ -n "${CONFORMANCE_TESTS:-}" ]; then
  tests=$CONFORMANCE_TESTS
else
  tests=$(cd "$src/t" && ls *.t | grep -vxF "$excluded")
fi

# run SIDE FILE: "pass" or "FAIL (n of m)"; the TAP output goes to $work/SIDE/FILE.log.
run() {
  local dir=$work/$1 log=$work/$1/${2%.t}.log
  if (cd "$dir" && PLIBD="$work/plibd" PLIBD_RUNDIR="$dir" timeout "${CONFORMANCE_TIMEOUT:-120}" prove -v "t/$2") >"$log" 2>&1; then
    echo pass
  else
    local failed planned
    failed=$(grep -c '^not ok' "$log" || true)
    planned=$(grep -m1 -oE '^1\.\.[0-9]+' "$log" | cut -d. -f3 || true)
    echo "FAIL ($failed of ${planned:-?})"
  fi
}

status=0 files=0 mpass=0 ppass=0
printf '%-24s %-16s %s\n' file memcached plibd
for t in $tests; do
  m=$(run memcached "$t")
  p=$(run plibd-run "$t")
  printf '%-24s %-16s %s\n' "$t" "$m" "$p"
  files=$((files + 1))
  [ "$m" = pass ] && mpass=$((mpass + 1))
  [ "$p" = pass ] && ppass=$((ppass + 1))
  if [ "$m" = pass ] && [ "$p" != pass ]; then status=1; fi
done
echo "$files files: memcached passes $mpass, plibd $ppass"
echo "excluded (scripts/conformance/excluded.txt): $(echo $excluded | wc -w) files; logs under $work/{memcached,plibd-run}/"
exit $status
