#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# e2e: the bare stub (no .linux) booted from an ESP prints one clear error line and returns an
# error to the firmware, which moves on (reports the failed boot option) instead of hanging.
# Usage: test-bare.sh STUB
STUB=$1
HERE=$(dirname "$0")
. "$HERE/lib.sh"

[ -f "$STUB" ] || fail "stub $STUB not found"
[ -f "$OVMF_DIR/OVMF_CODE_4M.fd" ] && [ -f "$OVMF_DIR/OVMF_VARS_4M.fd" ] || skip "OVMF (4M) not installed"
need_tools qemu-system-x86_64
setup_workdir
build_esp_disk "$STUB" "$WORK/disk.img"
cp "$OVMF_DIR/OVMF_VARS_4M.fd" "$WORK/vars.fd"

export WAIT_FOR='failed to start Boot0001'
QEMU_TIMEOUT=90 run_qemu "$OVMF_DIR/OVMF_CODE_4M.fd" "$WORK/vars.fd" "$WORK/console.log" \
        -drive if=none,id=d0,format=raw,file="$WORK/disk.img" -device virtio-blk-pci,drive=d0,bootindex=0 \
        -nic none
LOG=$WORK/console.log
line=$(tr -d '\r' <"$LOG" | grep -a 'pullboot-stub:' || true)
[ "$(printf '%s\n' "$line" | grep -c .)" = 1 ] || fail "expected exactly one stub error line, got: '$line'"
case $line in
*"no .linux section"*) echo "ok: $line" ;;
*) fail "unexpected stub message: $line" ;;
esac
grep -q 'failed to start Boot0001 .*: Not Found' "$LOG" || fail "the firmware did not get an error back"
echo "ok: firmware moved on: $(tr -d '\r' <"$LOG" | grep -a -o 'failed to start Boot0001.*' | head -n 1)"
echo "PASS"
