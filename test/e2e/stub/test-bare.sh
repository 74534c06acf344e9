#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# e2e: images the stub cannot boot print exactly one clear error line and return an error to the
# firmware, which moves on (reports the failed boot option) instead of hanging.
#   MODE=bare:      the stub alone (no .linux)       -> "no .linux section", EFI_NOT_FOUND
#   MODE=badkernel: .linux is not an EFI image       -> "cannot load the kernel", LoadImage's error
# Usage: test-bare.sh STUB bare|badkernel
STUB=$1
MODE=${2:-bare}
HERE=$(dirname "$0")
. "$HERE/lib.sh"

[ -f "$STUB" ] || fail "stub $STUB not found"
[ -f "$OVMF_DIR/OVMF_CODE_4M.fd" ] && [ -f "$OVMF_DIR/OVMF_VARS_4M.fd" ] || skip "OVMF (4M) not installed"
need_tools qemu-system-x86_64
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
cp "$OVMF_DIR/OVMF_VARS_4M.fd" "$WORK/vars.fd"

export WAIT_FOR='failed to start Boot0001'
QEMU_TIMEOUT=90 run_qemu "$OVMF_DIR/OVMF_CODE_4M.fd" "$WORK/vars.fd" "$WORK/console.log" \
        -drive if=none,id=d0,format=raw,file="$WORK/disk.img" -device virtio-blk-pci,drive=d0,bootindex=0 \
        -nic none
LOG=$WORK/console.log
line=$(tr -d '\r' <"$LOG" | grep -a 'pullboot-stub:' || true)
[ "$(printf '%s\n' "$line" | grep -c .)" = 1 ] || fail "expected exactly one stub error line, got: '$line'"
case $line in
*"$want_line"*) echo "ok: $line" ;;
*) fail "unexpected stub message: $line" ;;
esac
grep -Eq "failed to start Boot0001 .*: $want_fw" "$LOG" || fail "the firmware did not get the error back"
echo "ok: firmware moved on: $(tr -d '\r' <"$LOG" | grep -a -o 'failed to start Boot0001.*' | head -n 1)"
echo "PASS"
