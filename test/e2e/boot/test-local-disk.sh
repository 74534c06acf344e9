#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Scenario 6: the same kind of UKI, booted by the firmware from a virtual disk's ESP instead of
# over HTTP. There is no boot URL, so the bootorigin pull is skipped and root=gpt-auto finds the
# root partition on the disk the UKI came from. No HTTP server runs at all.
E2E_NAME=boot-local-disk
. "$(dirname "$0")/../../helpers/e2e-lib.sh"
e2e_begin

NAME="pullboot e2e local disk"
e2e_uki "$E2E_WORK/demo.efi" 'rd.systemd.pull=raw,machine,verify=checksum,blockdev,bootorigin:rootdisk:demo.raw.zst root=gpt-auto'
esp=$(( $(stat -c %s "$E2E_WORK/demo.efi") / 1048576 + 8 ))
e2e_image raw "$E2E_WORK/disk.raw" "$NAME" --esp-size "$esp" --esp-add "$E2E_WORK/demo.efi:/EFI/BOOT/BOOTX64.EFI"

e2e_vm --disk "$E2E_WORK/disk.raw" --fail 'Kernel panic'
[ "$VM_RC" = 0 ] || e2e_fail "pullboot-vm exited with $VM_RC (want 0: the guest powered off)"

e2e_assert_console '^pullboot: skipping .*bootorigin' "the initrd did not say it skipped the bootorigin pull"
e2e_assert_no_console '^pullboot: download finished' "something was downloaded on a local boot"
e2e_assert_console "^pullboot demo: init ran from $(e2e_regex_quote "$NAME") \(root /dev/vd[a-z]+2\) booted from \(no StubDeviceURL\)$" \
        "the local disk's root partition did not boot"
e2e_phases
echo PASS
