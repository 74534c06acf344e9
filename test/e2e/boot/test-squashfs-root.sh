#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A DDI whose root partition is squashfs (zstd), the compressed read-only file system of live
# media: gpt-auto finds it by partition type, libblkid names the type, the initrd loads the
# squashfs module and mounts it read-only; the root's init runs from it. Served as .raw, the
# image costs the initrd its compressed size.
E2E_NAME=boot-squashfs-root
. "$(dirname "$0")/../../helpers/e2e-lib.sh"
e2e_begin
e2e_need_tools mksquashfs

NAME="pullboot e2e squashfs root"
e2e_image raw "$SRV/demo.raw" "$NAME" --fs squashfs --fs-compress zstd --size fit
e2e_sha256sums "$SRV"
e2e_uki "$SRV/demo.efi" 'rd.systemd.pull=raw,machine,verify=checksum,blockdev,bootorigin:rootdisk:demo.raw root=gpt-auto'

e2e_vm --serve "$SRV" --boot demo.efi --memory 1024 --fail 'Kernel panic'
[ "$VM_RC" = 0 ] || e2e_fail "pullboot-vm exited with $VM_RC (want 0: the guest powered off)"

URL=$(e2e_url_base)/demo.efi
e2e_assert_console '^pullboot: root /dev/loop[0-9]+p2 \(squashfs, ro\) mounted on /sysroot' \
        "the root was not mounted read-only as squashfs from partition 2"
e2e_assert_console "$(e2e_banner_regex "$NAME" "$URL")" "no banner of the pulled root's init naming $URL"
e2e_assert_http "^GET /demo\.raw -> 200, $(stat -c %s "$SRV/demo.raw") bytes$"
e2e_phases
echo PASS
