#!/usr/bin/env bash
# ensure-deps.sh: install what the build and tests need and is missing.
# Stock memcached (the paper's baseline) comes from Debian; as root we install it,
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
exit 0
