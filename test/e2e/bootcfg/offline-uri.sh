#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A VARS file edited offline with a URI entry at BootOrder 0 makes OVMF go straight to HTTP boot:
# the server sees the GET, the serial log shows HTTP boot of our entry and no PXE attempt, and
# the served image runs.
set -u
BOOTCFG=${1:?usage: offline-uri.sh PULLBOOT-BOOTCFG MARKER.EFI}
MARKER=${2:-}
. "$(dirname "$0")/lib.sh"

require_tools qemu-system-x86_64 nginx
[ -n "$MARKER" ] && [ -r "$MARKER" ] || skip "test EFI application not built (needs gnu-efi)"
e2e_setup
start_nginx
cp "$MARKER" "$E2E_DIR/www/x.efi"

VARS=$E2E_DIR/vars.fd
SERIAL=$E2E_DIR/serial.log
URI=http://10.0.2.2:$HTTP_PORT/x.efi
cp "$OVMF_VARS" "$VARS"
"$BOOTCFG" --vars "$VARS" --add-uri "$URI" --title testloop --boot-order 0 || { echo "FAIL: bootcfg"; exit 1; }

start=$(date +%s)
start_qemu "$VARS" "$SERIAL"
wait_for 150 grep -q 'PULLBOOT-E2E-MARKER' "$SERIAL"
elapsed=$(($(date +%s) - start))
stop_qemu

fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
clean_serial "$SERIAL" >"$E2E_DIR/serial.txt"

grep -q '"GET /x.efi HTTP/1.1" 200 ' "$ACCESS_LOG" || fail "server log has no GET /x.efi"
grep -q 'Start HTTP Boot over IPv4' "$E2E_DIR/serial.txt" || fail "serial log does not show HTTP boot"
pxe_attempted "$E2E_DIR/serial.txt" && fail "serial log shows a PXE attempt"
first=$(grep -m1 'BdsDxe: loading' "$E2E_DIR/serial.txt")
case $first in
*'Boot0000 "testloop" from Uri('"$URI"')'*) ;;
*) fail "first boot option tried was not our entry: '$first'" ;;
esac
grep -q 'PULLBOOT-E2E-MARKER' "$E2E_DIR/serial.txt" || fail "the served image did not run"

if [ "$fails" -gt 0 ]; then
        echo "--- serial log"; cat "$E2E_DIR/serial.txt"
        echo "--- access log"; cat "$ACCESS_LOG"
        exit 1
fi
echo "ok: OVMF fetched $URI via HTTP boot and ran it ${elapsed}s after power-on, no PXE"
grep 'x.efi' "$ACCESS_LOG"
