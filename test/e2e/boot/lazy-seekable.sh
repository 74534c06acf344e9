#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Lazy root from a compressed image (issue 14): the padded erofs-root DDI of boot-lazy-raw, served
# as multi-block xz (boot-lazy-xz) or seekable zstd (boot-lazy-zstd). The initrd reads the seek
# table from the file's tail and serves /dev/nbd0 frame by frame; the server sends only the
# frames the boot reads plus the table, far less than the file. The zstd scenario gives no
# pullboot.lazy=: a seekable verify=no image is served lazily by default.
# Usage (from the scenario wrappers): lazy-seekable.sh xz|zstd
FORMAT=$1
E2E_NAME=boot-lazy-$FORMAT
. "$(dirname "$0")/../../helpers/e2e-lib.sh"
. "$(dirname "$0")/lazy-lib.sh"
e2e_begin
e2e_need_tools mkfs.erofs xz
MKSEEKABLE=$PB_BUILD/tools/mkseekable/pullboot-mkseekable
[ -x "$MKSEEKABLE" ] || e2e_fail "pullboot-mkseekable is not built ($MKSEEKABLE)"

NAME="pullboot e2e lazy $FORMAT"
e2e_image raw "$SRV/demo.raw" "$NAME" --fs erofs
lazy_pad "$SRV/demo.raw" 64
case $FORMAT in
xz) file=demo.raw.xz lazy=' pullboot.lazy=yes'
    xz -T1 --block-size=1MiB -c "$SRV/demo.raw" >"$SRV/$file" || e2e_fail "xz failed" ;;
zstd) file=demo.raw.zst lazy=''
    "$MKSEEKABLE" --frame-size=1M -o "$SRV/$file" "$SRV/demo.raw" || e2e_fail "pullboot-mkseekable failed" ;;
*) e2e_fail "unknown format $FORMAT" ;;
esac
rm -f "$SRV/demo.raw"
size=$(stat -c %s "$SRV/$file")
e2e_uki "$SRV/demo.efi" "rd.systemd.pull=raw,machine,verify=no,blockdev,bootorigin:rootdisk:$file root=gpt-auto$lazy"

e2e_vm --serve "$SRV" --boot demo.efi --fail 'Kernel panic'
[ "$VM_RC" = 0 ] || e2e_fail "pullboot-vm exited with $VM_RC (want 0: the guest powered off)"

URL=$(e2e_url_base)/demo.efi
e2e_assert_console "^pullboot: http://[^ ]*/$(e2e_regex_quote "$file") served lazily as /dev/nbd0" \
        "the $FORMAT image was not served lazily as /dev/nbd0"
e2e_assert_console '^pullboot: root /dev/nbd0p2 \(erofs, ' "the root was not mounted from /dev/nbd0p2"
e2e_assert_console "$(e2e_banner_regex "$NAME" "$URL")" "no banner of the lazily served root's init naming $URL"
e2e_assert_no_console 'downloading the whole image instead' "the initrd fell back to the download"
e2e_assert_no_http "^GET /$(e2e_regex_quote "$file") -> 200" "the image was downloaded whole"
sent=$(lazy_bytes_sent "/$file")
echo "the server sent $sent bytes of the $size-byte $FORMAT file in $(lazy_requests "/$file") requests"
[ "$sent" -gt 0 ] || e2e_fail "the server log has no bytes sent for /$file"
[ $((sent * 4)) -lt "$size" ] || e2e_fail "the server sent $sent bytes of a $size-byte file (want under a quarter)"
e2e_phases
echo PASS
