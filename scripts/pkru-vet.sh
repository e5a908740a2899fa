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
# Allowed: a pattern that lies strictly inside another instruction of its function (plibvet
# decodes the function from its start with golang.org/x/arch's x86asm), such as the 0F AE 2B of
# "LEAQ runtime.memstats+N(SB), SI" or the 0F 01 EF of a CALL's displacement. Such bytes run
# only if control jumps into the middle of that instruction, which Go code cannot do without
# memory corruption; where they appear depends on where the linker puts things, so listing the
# functions by hand failed again with each change of layout (runtime.(*mheap).init,
# go/parser.(*parser).parseIfHeader, crypto/x509.parseCertificate, then crypto/tls.init,
# runtime.(*semaRoot).dequeue, crypto/rsa.init and type:.eq.net.dialResult.2). A real WRPKRU or
# XRSTOR instruction anywhere but plib's trampoline, or a pattern in bytes that do not decode,
# still fails; -v prints every allowed pattern with the instruction that contains it.
go run ./cmd/plibvet -v -allow-unaligned "$out"/*
