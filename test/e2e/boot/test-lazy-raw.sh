#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Lazy root (issue 14): an uncompressed erofs-root DDI, padded with a partition of random data the
# boot never reads, booted with pullboot.lazy=yes. The initrd serves it as /dev/nbd0 from HTTP
# range requests instead of downloading it; the root's init runs from it after switch_root (the
# server process keeps answering), and the server sent far fewer bytes than the image has.
E2E_NAME=boot-lazy-raw
. "$(dirname "$0")/../../helpers/e2e-lib.sh"
. "$(dirname "$0")/lazy-lib.sh"
e2e_begin
e2e_need_tools mkfs.erofs

NAME="pullboot e2e lazy raw"
e2e_image raw "$SRV/demo.raw" "$NAME" --fs erofs
lazy_pad "$SRV/demo.raw" 64
size=$(stat -c %s "$SRV/demo.raw")
e2e_uki "$SRV/demo.efi" 'rd.systemd.pull=raw,machine,verify=no,blockdev,bootorigin:rootdisk:demo.raw root=gpt-auto pullboot.lazy=yes'

e2e_vm --serve "$SRV" --boot demo.efi --fail 'Kernel panic'
[ "$VM_RC" = 0 ] || e2e_fail "pullboot-vm exited with $VM_RC (want 0: the guest powered off)"

URL=$(e2e_url_base)/demo.efi
e2e_assert_console '^pullboot: http://[^ ]*/demo\.raw served lazily as /dev/nbd0 \([0-9.]+ MiB, 3 partition' \
        "the image was not served lazily as /dev/nbd0 with its 3 partitions"
e2e_assert_console '^pullboot: root /dev/nbd0p2 \(erofs, ' "the root was not mounted from /dev/nbd0p2"
e2e_assert_console "$(e2e_banner_regex "$NAME" "$URL")" "no banner of the lazily served root's init naming $URL"
e2e_assert_no_console 'downloading the whole image instead' "the initrd fell back to the download"
e2e_assert_no_http '^GET /demo\.raw -> 200' "the image was downloaded whole"
sent=$(lazy_bytes_sent /demo.raw)
echo "the server sent $sent bytes of the $size-byte image in $(lazy_requests /demo.raw) requests"
[ "$sent" -gt 0 ] || e2e_fail "the server log has no bytes sent for /demo.raw"
[ $((sent * 4)) -lt "$size" ] || e2e_fail "the server sent $sent bytes of a $size-byte image (want under a quarter)"
e2e_phases
echo PASS
