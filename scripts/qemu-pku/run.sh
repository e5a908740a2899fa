#!/usr/bin/env bash
# Runs one package's tests, PKU ones included, in a QEMU guest whose emulated CPU has PKU
# (TCG, -cpu max), for machines whose CPU or hypervisor hides it. Slow (every instruction is
# emulated), but it executes WRPKRU and the SEGV_PKUERR fault paths for real.
#
#   scripts/qemu-pku/run.sh ./plib [go test flags, e.g. -test.run=Outside -test.bench=.]
#
# Needs qemu-system-x86_64 (Debian: apt-get install qemu-system-x86) and a Linux kernel with
# CONFIG_X86_INTEL_MEMORY_PROTECTION_KEYS=y: $KERNEL, or else Debian's linux-image-amd64, fetched
# with apt-get download. Exits with the test binary's status.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
pkg=${1:?usage: $0 PACKAGE [go test flags]}
shift
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

kernel=${KERNEL:-}
if [ -z "$kernel" ]; then
	kpkg=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-/ {print $2; exit}')
	(cd "$work" && apt-get download "$kpkg" >/dev/null)
	dpkg-deb -x "$work"/linux-image-*.deb "$work/kernel"
	kernel=$(ls "$work"/kernel/boot/vmlinuz-*)
fi

cd "$root"
CGO_ENABLED=0 go build -o "$work/init" ./scripts/qemu-pku/init
CGO_ENABLED=0 go test -c -o "$work/test.bin" "$pkg"

# initramfs: a newc cpio holding /init, /test.bin and the mount points.
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
for f in ("init", "test.bin"):
    add(f, 0o100755, open(f"{work}/{f}", "rb").read())
add("TRAILER!!!", 0)
open(f"{work}/initramfs.gz", "wb").write(gzip.compress(bytes(out), 1))
PY

timeout 900 qemu-system-x86_64 -cpu max -smp 2 -m 1024 -nographic -no-reboot \
	-kernel "$kernel" -initrd "$work/initramfs.gz" \
	-append "console=ttyS0 quiet panic=-1 -- $*" | tee "$work/console.log"
status=$(sed -n 's/^PKU-TEST-EXIT \([0-9]*\).*/\1/p' "$work/console.log")
exit "${status:-125}"
