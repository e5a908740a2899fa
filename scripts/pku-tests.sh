#!/usr/bin/env bash
# pku-tests.sh: make sure the PKU tests execute, not just skip.
#
# Where the CPU and kernel have PKU, `go test` already ran them natively and this says so.
# Where they do not (for instance a VM whose hypervisor hides PKU), it runs the PKU packages'
# suites in a QEMU guest with an emulated PKU CPU (scripts/qemu-pku/run.sh), installing
# qemu-system-x86 from Debian when root. Where that cannot be had, it says exactly why and
# exits 0: the tests themselves skip with the reason.
set -euo pipefail
cd "$(dirname "$0")/.."

pkgs=(./plib/internal/pkey ./plib)
if grep -qw pku /proc/cpuinfo && grep -qw ospke /proc/cpuinfo; then
	echo "pku-tests: this CPU has PKU (pku, ospke): the PKU tests ran natively in go test"
	exit 0
fi
echo "pku-tests: this CPU or hypervisor hides PKU; running ${pkgs[*]} under QEMU with an emulated PKU CPU"
if ! command -v qemu-system-x86_64 >/dev/null 2>&1; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		export DEBIAN_FRONTEND=noninteractive
		(apt-get install -y -qq --no-install-recommends qemu-system-x86 >/dev/null 2>&1 ||
			(apt-get update -qq && apt-get install -y -qq --no-install-recommends qemu-system-x86 >/dev/null)) ||
			{ echo "pku-tests: SKIPPED: could not install qemu-system-x86"; exit 0; }
	else
		echo "pku-tests: SKIPPED: qemu-system-x86_64 missing (sudo apt-get install qemu-system-x86)"
		exit 0
	fi
fi
for pkg in "${pkgs[@]}"; do
	log=$(mktemp)
	if ! scripts/qemu-pku/run.sh "$pkg" >"$log" 2>&1; then
		grep -E '^(=== RUN|--- |    |PASS|FAIL|panic|init:)' "$log" | tail -60
		echo "pku-tests: FAIL: $pkg under QEMU (log above)"
		exit 1
	fi
	pass=$(grep -c -- '--- PASS' "$log" || true)
	skip=$(grep -c -- '--- SKIP' "$log" || true)
	echo "pku-tests: ok $pkg under QEMU -cpu max: $pass passed, $skip skipped"
	grep -E -- '--- (PASS|SKIP): .*(pku|PKU|Fault|Fresh|Enter)' "$log" | sed 's/^/    /' | head -20
	rm -f "$log"
done
