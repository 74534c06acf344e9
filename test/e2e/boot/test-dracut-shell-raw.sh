#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# dracut 059 without systemd, with 95pullboot: the pre-mount hook runs the steps of
# `pullboot generator --script` (network, pull, attach), the mount hook mounts the DPS root of the
# attached image (root=gpt-auto) on $NEWROOT and dracut switches into it.
# With DRACUT_FLAVOUR=shell-net (test-dracut-shell-net.sh) dracut's network module brings the
# network up instead of `pullboot net`.
FLAVOUR=${DRACUT_FLAVOUR:-shell}
E2E_NAME=boot-dracut-$FLAVOUR-raw
. "$(dirname "$0")/../../helpers/e2e-lib.sh"
. "$(dirname "$0")/dracut-lib.sh"
rm -f "$PB_BUILD/test/e2e/boot/phases/$E2E_NAME.tsv"
e2e_require
e2e_setup
dracut_initrd "$FLAVOUR"

NAME="pullboot e2e dracut shell raw"
dracut_image raw "$SRV/demo.raw" "$NAME"
e2e_compress "$SRV/demo.raw"
e2e_sha256sums "$SRV"
extra=
[ "$FLAVOUR" = shell ] || extra=' ip=dhcp'
e2e_uki "$SRV/demo.efi" "rd.systemd.pull=raw,machine,verify=checksum,blockdev,bootorigin:rootdisk:demo.raw.zst root=gpt-auto rd.systemd.pull.failure_action=poweroff$extra"

e2e_vm --serve "$SRV" --boot demo.efi --fail 'Kernel panic' --fail 'dracut Warning: pullboot:'
[ "$VM_RC" = 0 ] || e2e_fail "pullboot-vm exited with $VM_RC (want 0: the guest powered off)"

URL=$(e2e_url_base)/demo.efi
e2e_assert_console '^pull: .*\(100%\).*done$' "the pull did not finish"
e2e_assert_console '^/dev/loop[0-9]+$' "the image was not attached (pullboot attach prints the device)"
e2e_assert_console '^/dev/loop[0-9]+p[0-9]+ /sysroot ext4 ro$' "pullboot mount-root did not mount the root partition on /sysroot"
e2e_assert_console "$(e2e_banner_regex "$NAME" "$URL")" "no banner of the pulled root's init naming $URL"
e2e_assert_console '^pullboot demo: init ran from .* \(root /dev/loop[0-9]+p[0-9]+\)' "the root is not a partition of the loop device"
e2e_assert_no_console 'systemd\[1\]' "systemd ran in an initrd built without it"
e2e_assert_http "^GET /demo\.raw\.zst -> 200, $(stat -c %s "$SRV/demo.raw.zst") bytes$"
if [ "$FLAVOUR" = shell-net ]; then
        e2e_assert_no_console 'pullboot: bringing up the network \(pullboot net\)' "pullboot brought the network up, not dracut's network module"
        e2e_assert_console 'dhcp|DHCP' "no sign of dracut's DHCP client on the console"
fi
dracut_phases "$FLAVOUR"
echo PASS
