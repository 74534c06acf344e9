#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# e2e: images the stub cannot boot print exactly one clear error line and return an error to the
# firmware, which moves on (reports the failed boot option) instead of hanging.
#   MODE=bare:      the stub alone (no .linux)       -> "no .linux section", EFI_NOT_FOUND
#   MODE=badkernel: .linux is not an EFI image       -> "cannot load the kernel", LoadImage's error
# Usage: test-bare.sh STUB bare|badkernel   (PULLBOOT_VM from the environment)
STUB=$1
MODE=${2:-bare}
HERE=$(dirname "$0")
. "$HERE/lib.sh"

[ -f "$STUB" ] || fail "stub $STUB not found"
[ -f "$OVMF_DIR/OVMF_CODE_4M.fd" ] && [ -f "$OVMF_DIR/OVMF_VARS_4M.fd" ] || skip "OVMF (4M) not installed"
need_vm
setup_workdir
case $MODE in
bare)
        image=$STUB
        want_line="no .linux section"
        want_fw="Not Found"
        ;;
badkernel)
        head -c 65536 /dev/urandom >"$WORK/garbage"
        printf 'console=ttyS0\n' >"$WORK/cmdline"
        build_uki "$STUB" "$WORK/uki.efi" .cmdline="$WORK/cmdline" .linux="$WORK/garbage"
        image=$WORK/uki.efi
        want_line="cannot load the kernel from .linux"
        want_fw="(Load Error|Unsupported)"
        ;;
*)
        fail "unknown mode $MODE"
        ;;
esac
build_esp_disk "$image" "$WORK/disk.img"

LOG=$WORK/console.log
# pullboot-vm also matches a line still being written: the pattern must cover the status the
# assertion reads, or the next boot option the firmware tries after the failure.
QEMU_TIMEOUT=90 run_vm "$LOG" --disk "$WORK/disk.img" --nics 0 \
        --expect "failed to start Boot0001 .*: $want_fw|BdsDxe: loading Boot0002"
line=$(grep -a 'pullboot-stub:' "$LOG" || true)
[ "$(printf '%s\n' "$line" | grep -c .)" = 1 ] || fail "expected exactly one stub error line, got: '$line'"
case $line in
*"$want_line"*) echo "ok: $line" ;;
*) fail "unexpected stub message: $line" ;;
esac
grep -Eq "failed to start Boot0001 .*: $want_fw" "$LOG" || fail "the firmware did not get the error back"
echo "ok: firmware moved on: $(grep -a -o 'failed to start Boot0001.*' "$LOG" | head -n 1)"
echo "PASS"
