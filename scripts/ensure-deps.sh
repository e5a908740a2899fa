#!/usr/bin/env bash
# ensure-deps.sh: install what the build and tests need and is missing.
# Stock memcached (the paper's baseline) and redis-server (a peer, context only) come from
# Debian, and LMDB's Go binding needs a C compiler (cgo); as root we install them,
# otherwise we say what to run.
set -euo pipefail
if ! command -v go >/dev/null 2>&1; then
  echo "ensure-deps: Go 1.26 is required (https://go.dev/dl/); put it on PATH" >&2
  exit 1
fi
if ! command -v memcached >/dev/null 2>&1 && [ ! -x /usr/bin/memcached ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "ensure-deps: installing Debian's memcached package"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq memcached >/dev/null
    # Debian starts a system memcached on 11211; the harness runs its own on free ports.
    (service memcached stop || systemctl stop memcached || pkill -x memcached) >/dev/null 2>&1 || true
  else
    echo "ensure-deps: stock memcached is missing; run: sudo apt-get update && sudo apt-get install -y memcached" >&2
    echo "ensure-deps: (tests that need it will skip and say so)" >&2
  fi
fi
apt_install() { # apt_install PACKAGE: install a Debian package as root, quietly
  export DEBIAN_FRONTEND=noninteractive
  if [ -z "${ENSURE_DEPS_UPDATED:-}" ]; then apt-get update -qq; ENSURE_DEPS_UPDATED=1; fi
  apt-get install -y -qq "$1" >/dev/null
}
if ! command -v redis-server >/dev/null 2>&1 && [ ! -x /usr/bin/redis-server ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "ensure-deps: installing Debian's redis-server package"
    apt_install redis-server
    # Debian may start a system redis on 6379; the harness runs its own on free ports.
    (service redis-server stop || systemctl stop redis-server) >/dev/null 2>&1 || true
  else
    echo "ensure-deps: redis-server is missing; run: sudo apt-get update && sudo apt-get install -y redis-server" >&2
    echo "ensure-deps: (the redis backends' tests will skip and say so)" >&2
  fi
fi
if ! command -v cc >/dev/null 2>&1 && ! command -v gcc >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "ensure-deps: installing gcc for cgo (LMDB's Go binding)"
    apt_install gcc
  else
    echo "ensure-deps: no C compiler: the lmdb backend (cgo) will be unavailable; run: sudo apt-get install -y gcc" >&2
  fi
fi
exit 0
