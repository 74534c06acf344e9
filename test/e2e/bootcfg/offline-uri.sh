#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A VARS file edited offline with a URI entry at BootOrder 0 makes OVMF go straight to HTTP boot:
# the server sees the GET, the serial log shows HTTP boot of our entry and no PXE attempt, and
# the served image runs. Second run: a nearly full store (filler variables, some deleted) where
# bootcfg has to reclaim deleted records first; the firmware must accept the compacted store and
# boot the entry the same way. (Debian's .ms/.snakeoil stores would enable Secure Boot, which
# rejects the unsigned test image.)
set -u
BOOTCFG=${1:?usage: offline-uri.sh PULLBOOT-BOOTCFG MARKER.EFI VSTOOL}
MARKER=${2:-}
VSTOOL=${3:-}
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

fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

run() { # run NAME: boots $E2E_DIR/NAME.fd and checks that our entry was HTTP-booted first
        local name=$1 start elapsed first
        local serial=$E2E_DIR/$name.log txt=$E2E_DIR/$name.txt
        : >"$ACCESS_LOG"
        kill -USR1 "${E2E_PIDS[0]}"
        start=$(date +%s)
        start_qemu "$E2E_DIR/$name.fd" "$serial"
        wait_for 150 grep -q 'PULLBOOT-E2E-MARKER' "$serial"
        elapsed=$(($(date +%s) - start))
        stop_qemu
        clean_serial "$serial" >"$txt"

        grep -q '"GET /x.efi HTTP/1.1" 200 ' "$ACCESS_LOG" || fail "$name: server log has no GET /x.efi"
        grep -q 'Start HTTP Boot over IPv4' "$txt" || fail "$name: serial log does not show HTTP boot"
        pxe_attempted "$txt" && fail "$name: serial log shows a PXE attempt"
        first=$(grep -m1 'BdsDxe: loading' "$txt")
        case $first in
        *'"testloop" from Uri('"$URI"')'*) ;;
        *) fail "$name: first boot option tried was not our entry: '$first'" ;;
        esac
        grep -q 'PULLBOOT-E2E-MARKER' "$txt" || fail "$name: the served image did not run"
        echo "$name: OVMF fetched $URI via HTTP boot and ran it ${elapsed}s after power-on"
        grep 'x.efi' "$ACCESS_LOG"
}

mv "$VARS" "$E2E_DIR/plain.fd"
run plain

if [ -n "$VSTOOL" ] && [ -x "$VSTOOL" ]; then
        cp "$OVMF_VARS" "$E2E_DIR/reclaim.fd"
        "$VSTOOL" fill "$E2E_DIR/reclaim.fd" 4000 >/dev/null
        # Enough deleted that after our reclaim the firmware's own first-boot writes fit without one
        # of its own (slow under TCG); the free space at the end is still too small for the entry.
        for i in $(seq 10 29); do "$VSTOOL" delete "$E2E_DIR/reclaim.fd" Filler00$i; done
        deleted=$("$VSTOOL" records "$E2E_DIR/reclaim.fd" | awk '$2 != "3f"' | wc -l)
        "$BOOTCFG" --vars "$E2E_DIR/reclaim.fd" --add-uri "$URI" --title testloop --boot-order 0 ||
                fail "bootcfg on the nearly full store"
        left=$("$VSTOOL" records "$E2E_DIR/reclaim.fd" | awk '$2 != "3f"' | wc -l)
        [ "$deleted" -ge 20 ] && [ "$left" = 0 ] || fail "no reclaim happened ($deleted deleted records before, $left after)"
        run reclaim
else
        echo "note: vstool missing; the reclaimed-store boot is not exercised"
fi

if [ "$fails" -gt 0 ]; then
        for f in "$E2E_DIR"/*.txt; do echo "--- $f"; cat "$f"; done
        exit 1
fi
