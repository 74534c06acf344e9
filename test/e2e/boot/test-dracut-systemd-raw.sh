#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# dracut 059 (Debian's, systemd flavour) with 95pullboot: pullboot-generator turns
# rd.systemd.pull= into units, systemd-networkd brings the network online, the raw image named
# after the UKI (bootorigin) is pulled, attached, and its DPS root (root=gpt-auto) becomes
# sysroot.mount. Asserts the units ran (systemd's status lines), the root's init banner with the
# boot URL, the server log, and records the initrd's size and the phase times.
E2E_NAME=boot-dracut-systemd-raw
. "$(dirname "$0")/../../helpers/e2e-lib.sh"
. "$(dirname "$0")/dracut-lib.sh"
rm -f "$PB_BUILD/test/e2e/boot/phases/$E2E_NAME.tsv"
e2e_require
e2e_setup
dracut_initrd systemd

NAME="pullboot e2e dracut systemd raw"
dracut_image raw "$SRV/demo.raw" "$NAME"
e2e_compress "$SRV/demo.raw"
e2e_sha256sums "$SRV"
e2e_uki "$SRV/demo.efi" 'rd.systemd.pull=raw,machine,verify=checksum,blockdev,bootorigin:rootdisk:demo.raw.zst root=gpt-auto rd.systemd.pull.failure_action=poweroff'

e2e_vm --serve "$SRV" --boot demo.efi --fail 'Kernel panic'
[ "$VM_RC" = 0 ] || e2e_fail "pullboot-vm exited with $VM_RC (want 0: the guest powered off)"

URL=$(e2e_url_base)/demo.efi
e2e_assert_console 'Finished pullboot-pull-0' "the pull unit did not finish"
e2e_assert_console 'Finished pullboot-attach-0' "the attach unit did not finish"
e2e_assert_console 'Mounted sysroot\.mount' "sysroot.mount was not mounted"
e2e_assert_console "$(e2e_banner_regex "$NAME" "$URL")" "no banner of the pulled root's init naming $URL"
e2e_assert_console '^pullboot demo: init ran from .* \(root /dev/loop[0-9]+p[0-9]+\)' "the root is not a partition of the loop device"
e2e_assert_http "^GET /demo\.raw\.zst -> 200, $(stat -c %s "$SRV/demo.raw.zst") bytes$"
e2e_assert_http '^GET /SHA256SUMS -> 200'
dracut_phases systemd
echo PASS
