#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Runs first in the e2e suite: builds the shared initrd of the boot scenarios once (cached in
# test/e2e/boot/assets/, keyed by the kernel, pullboot-mkinitrd and pullboot), so that no scenario
# spends its own time budget on it, and checks what the scenarios rely on: /init is pullboot, and
# the drivers for virtio and e1000 NICs, virtio disks, loop devices, ext4 and efivarfs are in.
E2E_NAME=boot-assets
. "$(dirname "$0")/../../helpers/e2e-lib.sh"
e2e_require
e2e_initrd

list=$("$PULLBOOT_MKINITRD" --list "$E2E_INITRD") || e2e_fail "pullboot-mkinitrd --list $E2E_INITRD failed"
grep -qx '/init' <<<"$list" || e2e_fail "the initrd has no /init"
for m in virtio_net e1000 virtio_blk loop ext4 efivarfs; do
        grep -Eq "/$m\.ko(\.[a-z]+)?$" <<<"$list" || grep -q "/$m\.ko" "/lib/modules/$KVER/modules.builtin" ||
                e2e_fail "the initrd lacks the $m module the boot scenarios need"
done
echo "initrd $E2E_INITRD: $(wc -l <<<"$list") entries, $(( $(stat -c %s "$E2E_INITRD") / 1024 )) KiB"
echo PASS
