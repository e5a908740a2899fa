#!/usr/bin/env bash
# Runs package pkey's tests, PKU ones included, in a QEMU guest whose emulated CPU has PKU
# (TCG, -cpu max), for development machines whose CPU or hypervisor hides it. Slow (WRPKRU is
# emulated), but it executes every instruction and fault path for real.
#
#   plib/internal/pkey/testdata/qemu/run.sh [go test flags, e.g. -test.run=Fault -test.bench=.]
#
# Needs qemu-system-x86_64 (Debian: apt-get install qemu-system-x86) and a Linux kernel with
# CONFIG_X86_INTEL_MEMORY_PROTECTION_KEYS=y: $KERNEL, or else Debian's linux-image-amd64, fetched
# with apt-get download. Exits with the test binary's status.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../../../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

kernel=${KERNEL:-}
if [ -z "$kernel" ]; then
	pkg=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-/ {print $2; exit}')
	(cd "$work" && apt-get download "$pkg" >/dev/null)
	dpkg-deb -x "$work"/linux-image-*.deb "$work/kernel"
	kernel=$(ls "$work"/kernel/boot/vmlinuz-*)
fi

cd "$root"
CGO_ENABLED=0 go build -o "$work/init" ./plib/internal/pkey/testdata/qemu/init
CGO_ENABLED=0 go test -c -o "$work/pkey.test" ./plib/internal/pkey

# initramfs: a newc cpio holding /init, /pkey.test and the mount points.
python3 - "$work" <<'PY'
import gzip, sys
work = sys.argv[1]
out, ino = bytearray(), 1
def add(name, mode, data=b""):
    global ino
    ino += 1
    fields = [ino, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(name) + 1, 0]
    out.extend(("070701" + "".join("%08X" % f for f in fields)).encode() + name.encode() + b"\0")
    out.extend(b"\0" * (-len(out) % 4))
    out.extend(data)
    out.extend(b"\0" * (-len(out) % 4))
for d in ("proc", "sys", "dev", "tmp"):
    add(d, 0o040755)
for f in ("init", "pkey.test"):
    add(f, 0o100755, open(f"{work}/{f}", "rb").read())
add("TRAILER!!!", 0)
open(f"{work}/initramfs.gz", "wb").write(gzip.compress(bytes(out), 1))
PY

timeout 900 qemu-system-x86_64 -cpu max -smp 2 -m 1024 -nographic -no-reboot \
	-kernel "$kernel" -initrd "$work/initramfs.gz" \
	-append "console=ttyS0 quiet panic=-1 -- $*" | tee "$work/console.log"
status=$(sed -n 's/^PKEY-TEST-EXIT \([0-9]*\).*/\1/p' "$work/console.log")
exit "${status:-125}"
