#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A DDI whose root partition is erofs, the read-only file system systemd-repart and mkosi make
# for immutable images: gpt-auto finds it by partition type, libblkid names the type, the
# initrd loads the erofs module and mounts it; the root's init runs from it.
E2E_NAME=boot-erofs-root
. "$(dirname "$0")/../../helpers/e2e-lib.sh"
e2e_begin
e2e_need_tools mkfs.erofs

NAME="pullboot e2e erofs root"
e2e_image raw "$SRV/demo.raw" "$NAME" --fs erofs
e2e_compress "$SRV/demo.raw"
e2e_sha256sums "$SRV"
e2e_uki "$SRV/demo.efi" 'rd.systemd.pull=raw,machine,verify=checksum,blockdev,bootorigin:rootdisk:demo.raw.zst root=gpt-auto'

e2e_vm --serve "$SRV" --boot demo.efi --fail 'Kernel panic'
[ "$VM_RC" = 0 ] || e2e_fail "pullboot-vm exited with $VM_RC (want 0: the guest powered off)"

URL=$(e2e_url_base)/demo.efi
e2e_assert_console '^pullboot: root /dev/loop[0-9]+p2 \(erofs, ' "the root was not mounted as erofs from partition 2"
e2e_assert_console "$(e2e_banner_regex "$NAME" "$URL")" "no banner of the pulled root's init naming $URL"
e2e_assert_http "^GET /demo\.raw\.zst -> 200, $(stat -c %s "$SRV/demo.raw.zst") bytes$"
e2e_phases
echo PASS
