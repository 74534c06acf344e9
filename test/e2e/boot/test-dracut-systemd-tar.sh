#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# dracut 059 (systemd flavour) with 95pullboot: a tar.zst root unpacked into /run/machines/root
# by the generator's pull unit and bind-mounted as the root by its sysroot.mount
# (root=bind:/run/machines/root), which systemd 252's fstab-generator does not understand.
E2E_NAME=boot-dracut-systemd-tar
. "$(dirname "$0")/../../helpers/e2e-lib.sh"
. "$(dirname "$0")/dracut-lib.sh"
rm -f "$PB_BUILD/test/e2e/boot/phases/$E2E_NAME.tsv"
e2e_require
e2e_setup
dracut_initrd systemd

NAME="pullboot e2e dracut systemd tar"
dracut_image tar "$SRV/demo.tar" "$NAME"
e2e_compress "$SRV/demo.tar"
e2e_sha256sums "$SRV"
e2e_uki "$SRV/demo.efi" 'rd.systemd.pull=tar,machine,verify=checksum,bootorigin:root:demo.tar.zst root=bind:/run/machines/root'

e2e_vm --serve "$SRV" --boot demo.efi --fail 'Kernel panic'
[ "$VM_RC" = 0 ] || e2e_fail "pullboot-vm exited with $VM_RC (want 0: the guest powered off)"

URL=$(e2e_url_base)/demo.efi
e2e_assert_console 'Finished pullboot-pull-0' "the pull unit did not finish"
e2e_assert_console 'Mounted sysroot\.mount' "sysroot.mount was not mounted"
e2e_assert_console "$(e2e_banner_regex "$NAME" "$URL")" "no banner of the unpacked root's init naming $URL"
e2e_assert_no_console '^pullboot demo: init ran from .* \(root /dev/loop' "a tar root came from a loop device"
e2e_assert_http "^GET /demo\.tar\.zst -> 200, $(stat -c %s "$SRV/demo.tar.zst") bytes$"
dracut_phases systemd
echo PASS
