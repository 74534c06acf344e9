#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# e2e: Secure Boot on (OVMF secboot build, snakeoil PK/KEK/db). MODE=signed: the UKI signed with
# the snakeoil key boots although Debian's kernel inside is not signed by a key in db (the stub
# vouches for its own .linux). MODE=unsigned: the firmware refuses the UKI; the stub never runs.
# pullboot-vm --secure-boot runs exactly this firmware and store.
# Usage: test-secureboot.sh STUB VERSION signed|unsigned   (PULLBOOT_VM from the environment)
STUB=$1
VERSION=$2
MODE=$3
HERE=$(dirname "$0")
. "$HERE/lib.sh"
. "$HERE/common-uki.sh"

[ -f "$STUB" ] || fail "stub $STUB not found"
CODE=$OVMF_DIR/OVMF_CODE_4M.secboot.fd
VARS=$OVMF_DIR/OVMF_VARS_4M.snakeoil.fd
KEY=${OVMF_KEYS:-/usr/share/ovmf}/PkKek-1-snakeoil.key
CERT=${OVMF_KEYS:-/usr/share/ovmf}/PkKek-1-snakeoil.pem
[ -f "$CODE" ] && [ -f "$VARS" ] || skip "OVMF Secure Boot firmware (OVMF_CODE_4M.secboot.fd, OVMF_VARS_4M.snakeoil.fd) not installed"
[ -f "$KEY" ] && [ -f "$CERT" ] || skip "snakeoil keys ($KEY) not installed"
need_vm
need_tools sbsign openssl
setup_workdir
make_test_uki
if [ "$MODE" = signed ]; then
        # Debian ships the snakeoil key encrypted with the passphrase "snakeoil" (README.Debian).
        openssl pkey -in "$KEY" -passin pass:snakeoil -out "$WORK/snakeoil.key" 2>/dev/null ||
                cp "$KEY" "$WORK/snakeoil.key"
        sbsign --key "$WORK/snakeoil.key" --cert "$CERT" --output "$WORK/uki.signed.efi" "$WORK/uki.efi" \
                >"$WORK/sbsign.log" 2>&1 || fail "sbsign failed on the UKI: $(tail -n 1 "$WORK/sbsign.log")"
        mv "$WORK/uki.signed.efi" "$WORK/uki.efi"
        # Without this the test would prove nothing about the stub's security override.
        if command -v sbverify >/dev/null && sbverify --cert "$CERT" "$KERNEL" >/dev/null 2>&1; then
                fail "the guest kernel is signed by the db key itself; cannot test the stub's override"
        fi
fi
build_esp_disk "$WORK/uki.efi" "$WORK/disk.img"

# The disk is the firmware's first boot option (Boot0001); wait for its outcome. pullboot-vm also
# matches a line still being written, so a refusal is awaited with the status the assertion reads,
# or the next boot option the firmware tries.
LOG=$WORK/console.log
run_vm "$LOG" --secure-boot --disk "$WORK/disk.img" --nics 0 \
        --expect 'PBVAR-END|pullboot-stub:|failed to load Boot0001 .*: (Access Denied|Security Violation)|BdsDxe: loading Boot0002'
grep -q "^pullboot-vm: Secure Boot firmware $CODE with variables from $VARS\$" "$LOG" ||
        fail "pullboot-vm did not use $CODE with $VARS"

if [ "$MODE" = signed ]; then
        grep -q 'PBVAR-END' "$LOG" || fail "the signed UKI did not boot to the test initrd"
        echo "booted to the test initrd in ${QEMU_SECONDS}s"
        expect_eq SecureBoot "$(pbvar "$LOG" SecureBoot)" "01"
        expect_eq StubInfo "$(pbvar "$LOG" StubInfo)" "00000006 pullboot-stub $VERSION"
        expect_eq "kernel command line" "$(pbvar "$LOG" cmdline)" "console=ttyS0 panic=-1 loglevel=4"
        ! grep -q 'pullboot-stub:' "$LOG" || fail "the stub printed an error: $(grep 'pullboot-stub:' "$LOG" | head -n 1)"
else
        grep -Eq 'failed to load Boot0001 .*: (Access Denied|Security Violation)' "$LOG" ||
                fail "the firmware did not report refusing the unsigned UKI"
        grep -a 'failed to load Boot0001' "$LOG" | head -n 1
        ! grep -q 'pullboot-stub:' "$LOG" || fail "the stub ran although the UKI is unsigned"
        ! grep -q 'PBVAR-BEGIN' "$LOG" || fail "the unsigned UKI booted"
        echo "ok: unsigned UKI refused by the firmware"
fi
echo "PASS"
