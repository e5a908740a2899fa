#!/usr/bin/env bash
# memcached-src.sh DIR: unpack the source of the memcached this system's apt installs (Debian's
# source package, upstream tarball) into DIR/src/memcached-<version>/ and print that path.
#
# The deb-src lines are derived from the system's own apt configuration (every "deb" entry of
# /etc/apt/sources.list and of the deb822 /etc/apt/sources.list.d/*.sources, turned into
# "deb-src" with the same URI, suite, components and signing key), so the script works behind
# whatever mirror the system uses. apt runs with a private state directory under DIR: nothing on
# the system changes. Reuses DIR/src/memcached-* when it is already there.
set -euo pipefail
work=${1:?usage: memcached-src.sh DIR [upstream]}
upstream_only=${2:-}
mkdir -p "$work"
work=$(cd "$work" && pwd)
existing=$(ls -d "$work"/src/memcached-*/ 2>/dev/null | head -1 || true)
if [ -n "$existing" ] && [ -f "$existing/memcached.c" ]; then
  echo "${existing%/}"
  exit 0
fi

# One-line deb-src entries from the system's deb entries, both formats.
derive_sources() {
  local f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    sed -nE 's/^[[:space:]]*deb[[:space:]]+/deb-src /p' "$f"
  done
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    # deb822 stanzas: Types, URIs, Suites, Components, Signed-By (single-line values).
    awk '
      function flush() {
        if (types ~ /(^|[[:space:]])deb($|[[:space:]])/ && uris != "" && suites != "") {
          opt = (signed != "") ? " [signed-by=" signed "]" : ""
          n = split(uris, u, /[[:space:]]+/); m = split(suites, s, /[[:space:]]+/)
          for (i = 1; i <= n; i++) for (j = 1; j <= m; j++)
            if (u[i] != "" && s[j] != "") print "deb-src" opt " " u[i] " " s[j] " " comps
        }
        types = uris = suites = comps = signed = ""
      }
      /^[[:space:]]*$/ { flush(); next }
      /^#/ { next }
      { key = $1; sub(/:$/, "", key); val = $0; sub(/^[^:]*:[[:space:]]*/, "", val) }
      key == "Types" { types = val } key == "URIs" { uris = val } key == "Suites" { suites = val }
      key == "Components" { comps = val } key == "Signed-By" { signed = val }
      END { flush() }' "$f"
  done
}

mkdir -p "$work/lists/partial" "$work/cache/archives/partial"
derive_sources | sort -u > "$work/sources.list"
if [ ! -s "$work/sources.list" ]; then
  echo "memcached-src: no deb entries in /etc/apt/sources.list*; set MEMCACHED_SRC to an unpacked memcached 1.6 source tree" >&2
  exit 1
fi
apt=(apt-get -q -o Dir::Etc::SourceList="$work/sources.list" -o Dir::Etc::SourceParts=/dev/null
  -o Dir::State::Lists="$work/lists" -o Dir::Cache="$work/cache" -o APT::Sandbox::User=root)
# The version apt installs (or has installed): the source package of exactly that version.
version=$(dpkg-query -W -f='${Version}' memcached 2>/dev/null || true)
spec=memcached${version:+=$version}
(cd "$work" && "${apt[@]}" update >/dev/null 2>&1 && "${apt[@]}" source --download-only "$spec" >/dev/null 2>&1) ||
  (cd "$work" && "${apt[@]}" source --download-only memcached >/dev/null 2>&1) || {
    echo "memcached-src: could not fetch Debian's memcached source package; set MEMCACHED_SRC to an unpacked memcached 1.6 source tree" >&2
    exit 1
  }
rm -rf "$work/src" && mkdir -p "$work/src"
dsc=$(ls "$work"/memcached_*.dsc 2>/dev/null | head -1 || true)
upstream=$(ls "$work"/memcached_*.orig.tar.* | head -1)
upstream=${upstream##*/memcached_}
upstream=${upstream%%.orig.tar.*}
# Debian's patches applied (dpkg-source), as the installed memcached was built; else upstream's.
if [ -z "$upstream_only" ] && [ -n "$dsc" ] && command -v dpkg-source >/dev/null &&
  dpkg-source --no-check -x "$dsc" "$work/src/memcached-$upstream" >/dev/null 2>&1; then :; else
  rm -rf "$work/src" && mkdir -p "$work/src"
  tar -xf "$work"/memcached_*.orig.tar.* -C "$work/src"
fi
dir=$(ls -d "$work"/src/memcached-*/ | head -1)
echo "${dir%/}"
