#!/usr/bin/env bash
# pkru-vet.sh: build the project's binaries (commands and test binaries of the packages that
# link plib) and scan them with cmd/plibvet for WRPKRU/XRSTOR byte sequences outside plib's
# trampoline. Exits non-zero if any is found.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
go build -o "$out/" ./cmd/...
for pkg in ./plib ./harness ./kv; do
	go test -c -o "$out/$(basename "$pkg").test" "$pkg"
done
go run ./cmd/plibvet -v "$out"/*
