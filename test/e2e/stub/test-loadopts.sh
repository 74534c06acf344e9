#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# e2e: a UKI without .cmdline, started from a disk boot entry whose optional data is a UTF-16
# command line. MODE=insecure: Secure Boot off, the kernel gets the entry's load options.
# MODE=secureboot: signed UKI with Secure Boot on, the load options are ignored (one console line
# says so) and the kernel boots with an empty command line.
# Usage: test-loadopts.sh STUB insecure|secureboot   (PULLBOOT_VM, VSTOOL from the environment)
STUB=$1
MODE=$2
HERE=$(dirname "$0")
. "$HERE/lib.sh"

[ -f "$STUB" ] || fail "stub $STUB not found"
if [ "$MODE" = secureboot ]; then
        CODE=$OVMF_DIR/OVMF_CODE_4M.secboot.fd
        VARS=$OVMF_DIR/OVMF_VARS_4M.snakeoil.fd
        KEY=${OVMF_KEYS:-/usr/share/ovmf}/PkKek-1-snakeoil.key
        CERT=${OVMF_KEYS:-/usr/share/ovmf}/PkKek-1-snakeoil.pem
        [ -f "$KEY" ] && [ -f "$CERT" ] || skip "snakeoil keys ($KEY) not installed"
        need_tools sbsign openssl
else
        CODE=$OVMF_DIR/OVMF_CODE_4M.fd
        VARS=$OVMF_DIR/OVMF_VARS_4M.fd
fi
[ -f "$CODE" ] && [ -f "$VARS" ] || skip "OVMF firmware $CODE / $VARS not installed"
need_vm
need_vstool
setup_workdir
find_kernel
build_initrd
build_uki "$STUB" "$WORK/uki.efi" .osrel=/etc/os-release .linux="$KERNEL" .initrd="$WORK/initrd.img"
vm_args=()
if [ "$MODE" = secureboot ]; then
        openssl pkey -in "$KEY" -passin pass:snakeoil -out "$WORK/snakeoil.key" 2>/dev/null ||
                cp "$KEY" "$WORK/snakeoil.key"
        sbsign --key "$WORK/snakeoil.key" --cert "$CERT" --output "$WORK/uki.signed.efi" "$WORK/uki.efi" \
                >"$WORK/sbsign.log" 2>&1 || fail "sbsign failed on the UKI: $(tail -n 1 "$WORK/sbsign.log")"
        mv "$WORK/uki.signed.efi" "$WORK/uki.efi"
        vm_args=(--secure-boot)
fi
build_esp_disk "$WORK/uki.efi" "$WORK/disk.img"
cp "$VARS" "$WORK/vars.fd"
OPTIONS="console=ttyS0 panic=-1 pbtest=loadopts"
set_disk_boot_entry "$WORK/vars.fd" "$ESP_PARTUUID" "$ESP_START" "$ESP_SIZE" '\EFI\BOOT\BOOTX64.EFI' "$OPTIONS"

# --vars: the store with the entry is used in place and its BootOrder decides.
LOG=$WORK/console.log
run_vm "$LOG" "${vm_args[@]}" --vars "$WORK/vars.fd" --disk "$WORK/disk.img" --nics 0 --expect 'PBVAR-END'
grep -q 'PBVAR-END' "$LOG" || fail "the UKI did not boot to the test initrd (pullboot-vm exit $VM_RC)"
grep -q 'BdsDxe: starting Boot0001 "pullboot stub e2e"' "$LOG" || fail "the firmware did not use the test's boot entry"
echo "booted from the test's boot entry in ${QEMU_SECONDS}s"
stub_lines=$(grep -a 'pullboot-stub:' "$LOG" || true)
if [ "$MODE" = secureboot ]; then
        expect_eq SecureBoot "$(pbvar "$LOG" SecureBoot)" "01"
        case $stub_lines in
        *"ignoring the firmware's load options"*) echo "ok: $stub_lines" ;;
        *) fail "expected the stub to say it ignores the load options, got '$stub_lines'" ;;
        esac
        expect_eq "kernel command line" "$(pbvar "$LOG" cmdline)" ""
else
        [ -z "$stub_lines" ] || fail "the stub printed: $stub_lines"
        expect_eq "kernel command line" "$(pbvar "$LOG" cmdline)" "$OPTIONS"
fi
echo "PASS"
