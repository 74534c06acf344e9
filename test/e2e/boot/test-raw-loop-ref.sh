#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Scenario 2: the raw DDI with the root named by its loop reference, the form of example 3 of
# systemd-import-generator(8): root=/dev/disk/by-loop-ref/rootdisk.raw-part2.
E2E_NAME=boot-raw-loop-ref
. "$(dirname "$0")/../../helpers/e2e-lib.sh"
e2e_begin

NAME="pullboot e2e raw loop-ref"
e2e_image raw "$SRV/demo.raw" "$NAME"
e2e_compress "$SRV/demo.raw"
e2e_sha256sums "$SRV"
e2e_uki "$SRV/demo.efi" 'rd.systemd.pull=raw,machine,verify=checksum,blockdev,bootorigin:rootdisk:demo.raw.zst root=/dev/disk/by-loop-ref/rootdisk.raw-part2'

e2e_vm --serve "$SRV" --boot demo.efi --fail 'Kernel panic'
[ "$VM_RC" = 0 ] || e2e_fail "pullboot-vm exited with $VM_RC (want 0: the guest powered off)"

URL=$(e2e_url_base)/demo.efi
e2e_assert_console "$(e2e_banner_regex "$NAME" "$URL")" "no banner of the pulled root's init naming $URL"
# The root is the image's second partition on a loop device.
e2e_assert_console '^pullboot demo: init ran from .* \(root /dev/loop[0-9]+p2\) ' "the root is not partition 2 of a loop device"
e2e_assert_http "^GET /demo\.raw\.zst -> 200, $(stat -c %s "$SRV/demo.raw.zst") bytes$"
e2e_phases
echo PASS
