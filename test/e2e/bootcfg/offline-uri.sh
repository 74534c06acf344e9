#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A VARS file edited offline with a URI entry at BootOrder 0 makes OVMF go straight to HTTP boot:
# the server sees the GET, the serial log shows HTTP boot of our entry and no PXE attempt, and
# the served image runs. Second run: a nearly full store (filler variables, some deleted) where
# bootcfg has to reclaim deleted records first; the firmware must accept the compacted store and
# boot the entry the same way. (Debian's .ms/.snakeoil stores would enable Secure Boot, which
# rejects the unsigned test image.) pullboot-vm boots each store as it is (--vars, no --boot: it
# writes no entry of its own) and serves the image on the port the entry names.
set -u
BOOTCFG=${1:?usage: offline-uri.sh PULLBOOT-BOOTCFG MARKER.EFI VSTOOL}
MARKER=${2:-}
VSTOOL=${3:-}
. "$(dirname "$0")/lib.sh"

require_tools qemu-system-x86_64
[ -n "$MARKER" ] && [ -r "$MARKER" ] || skip "test EFI application not built (needs gnu-efi)"
e2e_setup
cp "$MARKER" "$E2E_DIR/www/x.efi"
SIZE=$(stat -c %s "$MARKER")

fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

run() { # run NAME: boots $E2E_DIR/NAME.fd and checks that our entry was HTTP-booted first
        local name=$1 first
        local log=$E2E_DIR/$name.txt
        run_vm "$log" --vars "$E2E_DIR/$name.fd" --serve "$E2E_DIR/www" --port "$PORT" --timeout 75 \
                --expect 'PULLBOOT-E2E-MARKER' --fail "$FW_MOVED_ON"
        port_was_busy "$log" && return 1

        grep -q "^pullboot-vm: http: GET /x.efi -> 200, $SIZE bytes\$" "$log" || fail "$name: server log has no GET /x.efi"
        grep -q 'Start HTTP Boot over IPv4' "$log" || fail "$name: serial log does not show HTTP boot"
        pxe_attempted "$log" && fail "$name: serial log shows a PXE attempt"
        first=$(grep -m1 'BdsDxe: loading' "$log")
        case $first in
        *'"testloop" from Uri('"$URI"')'*) ;;
        *) fail "$name: first boot option tried was not our entry: '$first'" ;;
        esac
        grep -q 'PULLBOOT-E2E-MARKER' "$log" || fail "$name: the served image did not run (pullboot-vm exit $VM_RC)"
        echo "$name: OVMF fetched $URI via HTTP boot and ran it ${VM_SECONDS}s after power-on"
        grep '^pullboot-vm: http: ' "$log"
        return 0
}

# The entry names the port, so it is chosen first (and again if pullboot-vm cannot bind it).
served=
for _ in 1 2 3; do
        pick_port
        URI=http://10.0.2.2:$PORT/x.efi
        cp "$OVMF_VARS" "$E2E_DIR/plain.fd"
        "$BOOTCFG" --vars "$E2E_DIR/plain.fd" --add-uri "$URI" --title testloop --boot-order 0 ||
                { echo "FAIL: bootcfg"; exit 1; }
        run plain && { served=1; break; }
        echo "note: port $PORT was taken meanwhile; trying another"
done
[ -n "$served" ] || { echo "FAIL: pullboot-vm could not bind a free port three times"; exit 1; }

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
        run reclaim || fail "reclaim: port $PORT, free a moment ago, was taken"
else
        echo "note: vstool missing; the reclaimed-store boot is not exercised"
fi

if [ "$fails" -gt 0 ]; then
        for f in "$E2E_DIR"/*.txt; do echo "--- $f"; cat "$f"; done
        exit 1
fi
