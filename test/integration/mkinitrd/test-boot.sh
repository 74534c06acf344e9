#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Direct kernel boot of Debian's kernel with the initrd in QEMU (TCG): the kernel unpacks the
# zstd cpio, runs our /init, and pullboot's own messages reach the console. Bounded to 120 s;
# QEMU is killed on every exit path.
set -eu
. "$(dirname "$0")/lib.sh"
QEMU=$(command -v qemu-system-x86_64) || skip "qemu-system-x86_64 is not installed"
[ -r "$KERNEL" ] || skip "cannot read $KERNEL"
grep -q '^CONFIG_RD_ZSTD=y' "/boot/config-$KVER" 2>/dev/null || skip "kernel $KVER has no zstd initrd support"

img=$TMP/initrd.img
"$MKINITRD" -k "$KVER" --pullboot "$PULLBOOT" --compress-level 3 -o "$img"

console=$TMP/console.log
: > "$console"
qemu_pid=
stop_qemu() {
        if [ -n "$qemu_pid" ]; then
                kill "$qemu_pid" 2>/dev/null || true
                wait "$qemu_pid" 2>/dev/null || true
                qemu_pid=
        fi
        cleanup_tmp
}
trap stop_qemu EXIT
trap 'exit 1' INT TERM

# No origin variables and no network: pullboot init starts, finds nothing to pull and ends in its
# failure action, which is what we look for. panic=-1 and -no-reboot end QEMU if init dies.
"$QEMU" -accel tcg -m 1024 -smp 1 -nodefaults -no-user-config -nographic -no-reboot \
        -serial "file:$console" -monitor none -display none \
        -kernel "$KERNEL" -initrd "$img" \
        -append "console=ttyS0 panic=-1 pullboot.net=none pullboot.failure=poweroff rd.systemd.pull=raw,machine,verify=no,blockdev:image:http://10.0.2.2:9/image.raw" \
        > "$TMP/qemu.out" 2>&1 &
qemu_pid=$!

deadline=$((SECONDS + 120))
ran=false
while [ $SECONDS -lt $deadline ]; do
        if grep -q '^pullboot: ' "$console"; then
                # let init finish its lines (or the failure action) for the log
                sleep 3
                ran=true
                break
        fi
        kill -0 "$qemu_pid" 2>/dev/null || break
        sleep 1
done
stop_qemu_only() { kill "$qemu_pid" 2>/dev/null || true; wait "$qemu_pid" 2>/dev/null || true; qemu_pid=; }
stop_qemu_only
tr -d '\r' < "$console" > "$TMP/console.txt"

grep -E 'Unpacking initramfs|initramfs|Run /init|Kernel panic|pullboot' "$TMP/console.txt" | tail -n 20 || true
grep -q 'Initramfs unpacking failed' "$TMP/console.txt" && fail "the kernel could not unpack the initrd"
grep -q 'Run /init as init process' "$TMP/console.txt" || fail "the kernel did not run /init (see above; QEMU: $(cat "$TMP/qemu.out"))"
$ran || fail "no 'pullboot:' line on the console within 120 s"
# pullboot's line comes after the kernel started /init, and /init did not die before it spoke
awk '/Run \/init as init process/ { r = 1 } r && /^pullboot: / { ok = 1 } END { exit !ok }' "$TMP/console.txt" ||
        fail "no pullboot line after /init started"
sed -n '/Run \/init as init process/,/Kernel panic/p' "$TMP/console.txt" | grep -q 'Kernel panic.*Attempted to kill init' &&
        ! grep -q '^pullboot: ' "$TMP/console.txt" && fail "/init died before printing anything"
echo "/init ran: $(grep -m1 '^pullboot: ' "$TMP/console.txt")"
echo "PASS"
