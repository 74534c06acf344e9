#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# e2e: a UKI (our stub + Debian's kernel + test initrd) booted from a GPT disk's ESP in QEMU+OVMF
# (pullboot-vm --disk, no NIC).
# Asserts: no URL variables and no NIC record, the partition and identity variables, and that the
# kernel got .initrd (the test initrd ran) and .cmdline (its console is the serial port).
# Usage: test-disk.sh STUB VERSION   (PULLBOOT_VM from the environment)
STUB=$1
VERSION=$2
HERE=$(dirname "$0")
. "$HERE/lib.sh"
. "$HERE/common-uki.sh"

[ -f "$STUB" ] || fail "stub $STUB not found"
[ -f "$OVMF_DIR/OVMF_CODE_4M.fd" ] && [ -f "$OVMF_DIR/OVMF_VARS_4M.fd" ] || skip "OVMF (4M) not installed"
need_vm
setup_workdir
make_test_uki
build_esp_disk "$WORK/uki.efi" "$WORK/disk.img"

LOG=$WORK/console.log
run_vm "$LOG" --disk "$WORK/disk.img" --nics 0 --expect 'PBVAR-END'
grep -q 'PBVAR-END' "$LOG" || fail "the test initrd did not finish (kernel hand-off failed?; pullboot-vm exit $VM_RC)"
echo "booted to the test initrd in ${QEMU_SECONDS}s"

expect_eq StubDeviceURL "$(pbvar "$LOG" StubDeviceURL)" "unset"
expect_eq LoaderDeviceURL "$(pbvar "$LOG" LoaderDeviceURL)" "unset"
expect_eq PullbootNetInfo "$(pbvar "$LOG" PullbootNetInfo)" "unset"
expect_eq StubInfo "$(pbvar "$LOG" StubInfo)" "00000006 pullboot-stub $VERSION"
expect_eq StubFeatures "$(pbvar "$LOG" StubFeatures)" "00000006 0000000000000c01"
expect_eq StubImageIdentifier "$(pbvar "$LOG" StubImageIdentifier)" '00000006 \EFI\BOOT\BOOTX64.EFI'
# No boot loader set it: the stub does, as systemd-stub does (firmware loaded the UKI directly).
expect_eq LoaderImageIdentifier "$(pbvar "$LOG" LoaderImageIdentifier)" '00000006 \EFI\BOOT\BOOTX64.EFI'
expect_eq StubDevicePartUUID "$(pbvar "$LOG" StubDevicePartUUID)" "00000006 $ESP_PARTUUID"
expect_eq LoaderDevicePartUUID "$(pbvar "$LOG" LoaderDevicePartUUID)" "00000006 $ESP_PARTUUID"
fwinfo=$(pbvar "$LOG" LoaderFirmwareInfo)
fwtype=$(pbvar "$LOG" LoaderFirmwareType)
[[ $fwinfo =~ ^00000006\ EDK\ II\ [0-9]+\.[0-9]{2}$ ]] || fail "LoaderFirmwareInfo: got '$fwinfo'"
[[ $fwtype =~ ^00000006\ UEFI\ 2\.[0-9]{2}$ ]] || fail "LoaderFirmwareType: got '$fwtype'"
echo "ok: LoaderFirmwareInfo/LoaderFirmwareType"
expect_eq "kernel command line" "$(pbvar "$LOG" cmdline)" "console=ttyS0 panic=-1 loglevel=4"
grep -q 'EFI stub: Loaded initrd from LINUX_EFI_INITRD_MEDIA_GUID device path' "$LOG" ||
        fail "the kernel did not load .initrd through the LoadFile2 device path"
echo "ok: initrd served through LINUX_EFI_INITRD_MEDIA_GUID"
! grep -q 'pullboot-stub:' "$LOG" || fail "the stub printed an error: $(grep 'pullboot-stub:' "$LOG" | head -n 1)"
echo "PASS"
