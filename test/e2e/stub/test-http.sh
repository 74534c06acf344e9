#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# e2e: the UKI (our stub + Debian's kernel + test initrd) HTTP-booted by OVMF from a server on
# 127.0.0.1 (the guest sees 10.0.2.2), through a URI boot entry first in BootOrder. The test
# initrd prints the variables; asserts the exact served URL in StubDeviceURL and LoaderDeviceURL,
# the NIC record (the MAC QEMU gave the guest, QEMU user networking's address, gateway and DNS).
# MODE=preset: a boot loader's LoaderDeviceURL already exists; the stub must keep it and still
# set StubDeviceURL.
# Usage: test-http.sh STUB VERSION BOOT-ENTRY-HELPER [plain|preset]
STUB=$1
VERSION=$2
BOOT_ENTRY=$3
MODE=${4:-plain}
PRESET_URL=http://boot-loader.invalid/loader.efi
HERE=$(dirname "$0")
. "$HERE/lib.sh"
. "$HERE/common-uki.sh"

[ -f "$STUB" ] || fail "stub $STUB not found"
[ -x "$BOOT_ENTRY" ] || fail "helper $BOOT_ENTRY not found"
[ -f "$OVMF_DIR/OVMF_CODE_4M.fd" ] && [ -f "$OVMF_DIR/OVMF_VARS_4M.fd" ] || skip "OVMF (4M) not installed"
need_tools qemu-system-x86_64 curl
setup_workdir
make_test_uki
mkdir -p "$WORK/srv/pullboot/e2e"
cp "$WORK/uki.efi" "$WORK/srv/pullboot/e2e/stub-test_1.efi"

# busybox httpd on a free loopback port (retry on a collision).
HTTPD_PID=
for _ in 1 2 3 4 5 6 7 8 9 10; do
        PORT=$(( 20000 + RANDOM % 20000 ))
        /bin/busybox httpd -f -p "127.0.0.1:$PORT" -h "$WORK/srv" &
        HTTPD_PID=$!
        sleep 0.3
        if kill -0 "$HTTPD_PID" 2>/dev/null &&
           curl -sf -o /dev/null "http://127.0.0.1:$PORT/pullboot/e2e/stub-test_1.efi"; then
                break
        fi
        kill "$HTTPD_PID" 2>/dev/null || true
        HTTPD_PID=
done
[ -n "$HTTPD_PID" ] || fail "cannot start an HTTP server on 127.0.0.1"
URL="http://10.0.2.2:$PORT/pullboot/e2e/stub-test_1.efi"

# romfile= keeps iPXE's option ROM out (OVMF's own virtio-net driver is faster to start).
# The firmware's HTTP download can time out when the host is overloaded (TCG); that happens
# before the stub runs, so one such failure is retried.
export WAIT_FOR='PBVAR-END|failed to (load|start) Boot0001'
QEMU_TIMEOUT=${QEMU_TIMEOUT_HTTP:-85}
for attempt in 1 2; do
        cp "$OVMF_DIR/OVMF_VARS_4M.fd" "$WORK/vars.fd"
        "$BOOT_ENTRY" "$WORK/vars.fd" uri "$URL" || fail "cannot write the URI boot entry"
        if [ "$MODE" = preset ]; then
                "$BOOT_ENTRY" "$WORK/vars.fd" loader-var LoaderDeviceURL "$PRESET_URL" ||
                        fail "cannot preset LoaderDeviceURL"
        fi
        run_qemu "$OVMF_DIR/OVMF_CODE_4M.fd" "$WORK/vars.fd" "$WORK/console.log" \
                -netdev user,id=n0 -device "virtio-net-pci,netdev=n0,mac=$GUEST_MAC,romfile=${NIC_ROMFILE-}"
        if [ "$attempt" = 1 ] && ! grep -q 'pullboot-stub\|PBVAR-BEGIN' "$WORK/console.log" &&
           grep -q 'failed to load Boot0001 .*: Load Error' "$WORK/console.log"; then
                echo "note: the firmware's HTTP download failed (host overloaded?); retrying once:"
                tr -d '\r' <"$WORK/console.log" | grep -a -o 'Downloading\.\.\.[0-9]*%' | tail -n 1
                tr -d '\r' <"$WORK/console.log" | grep -a 'failed to load Boot0001' | head -n 1
                cp "$WORK/console.log" "$WORK/console-attempt1.log"
                continue
        fi
        break
done
LOG=$WORK/console.log
grep -q 'PBVAR-END' "$LOG" || fail "the HTTP-booted UKI did not reach the test initrd"
echo "booted over HTTP to the test initrd in ${QEMU_SECONDS}s"

expect_eq StubDeviceURL "$(pbvar "$LOG" StubDeviceURL)" "00000006 $URL"
if [ "$MODE" = preset ]; then
        # Non-volatile (7) as the test wrote it: the stub left it alone.
        expect_eq LoaderDeviceURL "$(pbvar "$LOG" LoaderDeviceURL)" "00000007 $PRESET_URL"
else
        expect_eq LoaderDeviceURL "$(pbvar "$LOG" LoaderDeviceURL)" "00000006 $URL"
fi
expect_eq StubInfo "$(pbvar "$LOG" StubInfo)" "00000006 pullboot-stub $VERSION"
expect_eq StubFeatures "$(pbvar "$LOG" StubFeatures)" "00000006 0000000000000c01"
expect_eq StubDevicePartUUID "$(pbvar "$LOG" StubDevicePartUUID)" "unset"
expect_eq PullbootNetInfo "$(pbvar "$LOG" PullbootNetInfo)" "00000006"
net=$(tr -d '\r' <"$LOG" | sed -n 's/^PBNET //p' | tr '\n' ' ')
expect_eq "NIC record" "$net" "mac=$GUEST_MAC ipv4=10.0.2.15/24 gateway=10.0.2.2 dns=10.0.2.3 origin=dhcp "
expect_eq "kernel command line" "$(pbvar "$LOG" cmdline)" "console=ttyS0 panic=-1 loglevel=4"
! grep -q 'pullboot-stub:' "$LOG" || fail "the stub printed an error: $(grep 'pullboot-stub:' "$LOG" | head -n 1)"
echo "PASS"
