#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# e2e: the UKI (our stub + Debian's kernel + test initrd) HTTP-booted by OVMF through pullboot-vm:
# its server on 127.0.0.1 (the guest sees 10.0.2.2) on a port the test chose, a URI boot entry
# first in BootOrder. The test initrd prints the variables; asserts the GET in the server log, no
# PXE attempt, the exact served URL in StubDeviceURL and LoaderDeviceURL, the NIC record (the MAC
# QEMU gave the guest, QEMU user networking's address, gateway and DNS).
# MODE=preset: a non-volatile LoaderDeviceURL is already in the variable store (as root of an
# earlier boot could leave it; a boot loader of this boot would have written a volatile one, which
# a VARS file cannot hold): the stub must delete it, say so, and write this boot's URL volatile.
# Usage: test-http.sh STUB VERSION [plain|preset]   (PULLBOOT_VM, VSTOOL from the environment)
STUB=$1
VERSION=$2
MODE=${3:-plain}
PRESET_URL=http://boot-loader.invalid/loader.efi
NAME=pullboot/e2e/stub-test_1.efi
HERE=$(dirname "$0")
. "$HERE/lib.sh"
. "$HERE/common-uki.sh"

[ -f "$STUB" ] || fail "stub $STUB not found"
[ -f "$OVMF_DIR/OVMF_CODE_4M.fd" ] && [ -f "$OVMF_DIR/OVMF_VARS_4M.fd" ] || skip "OVMF (4M) not installed"
need_vm
need_vstool
setup_workdir
make_test_uki
mkdir -p "$WORK/srv/pullboot/e2e"
cp "$WORK/uki.efi" "$WORK/srv/$NAME"

# The firmware's HTTP download can time out when the host is overloaded (TCG); that happens
# before the stub runs, so one such failure is retried (as is a port taken meanwhile). The run
# stops early once the firmware moves on to one of its own boot options (PXE, shell, ...).
QEMU_TIMEOUT=${QEMU_TIMEOUT_HTTP:-85}
LOG=$WORK/console.log
retried=
for _ in 1 2 3 4; do
        pick_port
        URL="http://10.0.2.2:$PORT/$NAME"
        cp "$OVMF_DIR/OVMF_VARS_4M.fd" "$WORK/vars.fd"
        [ "$MODE" = preset ] && set_loader_var "$WORK/vars.fd" LoaderDeviceURL "$PRESET_URL"
        run_vm "$LOG" --vars "$WORK/vars.fd" --serve "$WORK/srv" --port "$PORT" --boot "$NAME" \
                --expect 'PBVAR-END' --fail 'BdsDxe: loading Boot[0-9A-F]{4} "(UEFI|EFI) '
        if port_was_busy "$LOG"; then
                echo "note: port $PORT was taken meanwhile; trying another"
                continue
        fi
        if [ -z "$retried" ] && ! grep -q 'pullboot-stub\|PBVAR-BEGIN' "$LOG" &&
           grep -Eq 'failed to load Boot[0-9A-F]{4} .*: Load Error' "$LOG"; then
                echo "note: the firmware's HTTP download failed (host overloaded?); retrying once:"
                grep -a 'failed to load Boot' "$LOG" | head -n 1
                cp "$LOG" "$WORK/console-attempt1.log"
                retried=1
                continue
        fi
        break
done
grep -q 'PBVAR-END' "$LOG" || fail "the HTTP-booted UKI did not reach the test initrd (pullboot-vm exit $VM_RC)"
echo "booted over HTTP to the test initrd in ${QEMU_SECONDS}s"

grep -q "^pullboot-vm: http: GET /$NAME -> 200, $(stat -c %s "$WORK/uki.efi") bytes\$" "$LOG" ||
        fail "the server log has no complete GET /$NAME"
grep "^pullboot-vm: http: GET /$NAME" "$LOG"
! grep -Eq 'Start PXE|iPXE|PXE-E[0-9]' "$LOG" || fail "the firmware tried PXE"
grep -q "Start HTTP Boot over IPv4" "$LOG" || fail "the console does not show HTTP boot"
expect_eq StubDeviceURL "$(pbvar "$LOG" StubDeviceURL)" "00000006 $URL"
if [ "$MODE" = preset ]; then
        # Non-volatile (7) as the test wrote it: not this boot's, so replaced.
        expect_eq LoaderDeviceURL "$(pbvar "$LOG" LoaderDeviceURL)" "00000006 $URL"
        grep -q '^pullboot-stub: deleted a non-volatile copy (not from this boot) of EFI variable: LoaderDeviceURL' "$LOG" ||
                fail "the stub did not report deleting the non-volatile LoaderDeviceURL"
else
        expect_eq LoaderDeviceURL "$(pbvar "$LOG" LoaderDeviceURL)" "00000006 $URL"
fi
expect_eq StubInfo "$(pbvar "$LOG" StubInfo)" "00000006 pullboot-stub $VERSION"
expect_eq StubFeatures "$(pbvar "$LOG" StubFeatures)" "00000006 0000000000000c01"
expect_eq StubDevicePartUUID "$(pbvar "$LOG" StubDevicePartUUID)" "unset"
expect_eq PullbootNetInfo "$(pbvar "$LOG" PullbootNetInfo)" "00000006"
net=$(sed -n 's/^PBNET //p' "$LOG" | tr '\n' ' ')
expect_eq "NIC record" "$net" "mac=$GUEST_MAC ipv4=10.0.2.15/24 gateway=10.0.2.2 dns=10.0.2.3 origin=dhcp "
expect_eq "kernel command line" "$(pbvar "$LOG" cmdline)" "console=ttyS0 panic=-1 loglevel=4"
! grep 'pullboot-stub:' "$LOG" | grep -vq 'deleted a non-volatile copy' ||
        fail "the stub printed an error: $(grep 'pullboot-stub:' "$LOG" | head -n 1)"
echo "PASS"
