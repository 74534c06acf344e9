#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Lazy root with verification (issue 14): a dm-verity DDI (systemd-repart: root + root-verity)
# booted with verify=checksum and pullboot.lazy=yes. The root hash comes from the sidecar
# demo.roothash, listed in SHA256SUMS; the initrd serves the image as /dev/nbd0 and mounts the root
# through dm-verity. After the list was made, one byte of a file the boot never reads (/canary)
# is changed on the server: the root's hook reads it and must get EIO with dm-verity's
# "corrupted" message on the console, never the changed bytes. The boot itself, from the
# untouched blocks, reaches the root's init lazily (the server sent a fraction of the image).
#
# Boot 2 takes the root hash from roothash= on the command line instead, without pullboot.lazy=
# (lazy is the default for a root trusted so): no checksum list or sidecar is fetched and the
# canary still fails. Boot 3 asks for the sidecar (pullboot.lazy=yes) after it was removed from
# SHA256SUMS: the initrd must fall back to the whole download, whose digest check then refuses
# the tampered image (nothing is mounted).
#
# LAZY_VERITY_DEFENCE=off boots the same tampered image with verify=no (no dm-verity): the hook
# then reads the changed bytes and this test must FAIL (how the negative half was shown to bite).
E2E_NAME=boot-lazy-verity
. "$(dirname "$0")/../../helpers/e2e-lib.sh"
. "$(dirname "$0")/lazy-lib.sh"
. "$(dirname "$0")/verity-lib.sh"
e2e_begin
e2e_need_tools mkfs.erofs
verity_need_tools
lazy_need_busybox

marker="verity-canary-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')"
{ printf '%s' "$marker"; head -c 65536 /dev/urandom; } >"$E2E_WORK/canary"
cat >"$E2E_WORK/hook" <<'EOH'
#!/bin/busybox sh
bb=/bin/busybox
if err=$($bb cat /canary 2>&1 >/dev/null); then
        echo "verity-test: canary read whole ($($bb sha256sum /canary | $bb cut -d ' ' -f 1))"
else
        echo "verity-test: canary read failed: $err"
fi
echo "verity-test: root is $($bb awk '$2 == "/" { print $1 }' /proc/mounts | $bb tail -n 1)"
EOH
chmod +x "$E2E_WORK/hook"

NAME="pullboot e2e lazy verity"
e2e_image raw "$E2E_WORK/plain.raw" "$NAME" --fs erofs --size fit --add "$BUSYBOX:/bin/busybox" \
        --add "$E2E_WORK/hook:/etc/demo-hook" --add "$E2E_WORK/canary:/canary"
roothash=$(verity_ddi "$E2E_WORK/plain.raw" "$SRV/demo.raw") || e2e_fail "cannot make the verity DDI"
echo "verity DDI: root hash $roothash"
size=$(stat -c %s "$SRV/demo.raw")
e2e_sha256sums "$SRV"
grep -q ' demo\.roothash$' "$SRV/SHA256SUMS" || e2e_fail "SHA256SUMS does not list demo.roothash"
at=$(verity_flip "$SRV/demo.raw" "$marker") || e2e_fail "cannot change demo.raw"
echo "changed one byte at offset $at of demo.raw after SHA256SUMS was made"

verify=checksum
[ "${LAZY_VERITY_DEFENCE:-on}" = off ] && verify=no && echo "LAZY_VERITY_DEFENCE=off: verify=no, no dm-verity"
e2e_uki "$SRV/demo.efi" "rd.systemd.pull=raw,machine,verify=$verify,blockdev,bootorigin:rootdisk:demo.raw root=gpt-auto pullboot.lazy=yes"

e2e_vm --serve "$SRV" --boot demo.efi --fail 'Kernel panic'
[ "$VM_RC" = 0 ] || e2e_fail "pullboot-vm exited with $VM_RC (want 0: the guest powered off)"

URL=$(e2e_url_base)/demo.efi
e2e_assert_console "$(e2e_banner_regex "$NAME" "$URL")" "no banner of the root's init naming $URL"
# The negative half: the changed block is refused, by dm-verity, and its bytes never read.
e2e_assert_no_console '^verity-test: canary read whole' "the root read the changed bytes on the server: no verification"
e2e_assert_console '^verity-test: canary read failed: .*(I/O|Input/output) error' "reading the changed file did not fail with EIO"
e2e_assert_console 'device-mapper: verity: [0-9:]+: data block [0-9]+ is corrupted' \
        "the kernel did not report dm-verity's corrupted block"
e2e_assert_console "^pullboot: dm-verity root hash $roothash of http://[^ ]*/demo\.raw from its \.roothash sidecar" \
        "the root hash was not taken from the listed sidecar"
e2e_assert_console '^pullboot: http://[^ ]*/demo\.raw served lazily as /dev/nbd0 ' "the image was not served lazily"
e2e_assert_console '^pullboot: http://[^ ]*/demo\.raw: root partition checked by dm-verity as /dev/dm-0 ' \
        "the root was not set up through dm-verity"
e2e_assert_console '^pullboot: root /dev/dm-0 \(erofs, ro' "the root was not mounted from the dm-verity device"
e2e_assert_console '^verity-test: root is /dev/(dm-0|mapper/)' "the running root is not the dm-verity device"
e2e_assert_no_console 'downloading the whole image instead' "the initrd fell back to the download"
[ "$(e2e_count_http '^GET /demo\.raw -> 200')" = 0 ] || e2e_fail "the image was downloaded whole"
e2e_assert_http '^GET /demo\.roothash -> 200' "the sidecar was not fetched"
e2e_assert_http '^GET /SHA256SUMS -> 200' "the checksum list was not fetched"
sent=$(lazy_bytes_sent /demo.raw)
echo "the server sent $sent bytes of the $size-byte image in $(lazy_requests /demo.raw) requests"
[ "$sent" -gt 0 ] || e2e_fail "the server log has no bytes sent for /demo.raw"
[ "$sent" -lt "$size" ] || e2e_fail "the server sent $sent bytes of a $size-byte image (want fewer: lazy)"
e2e_phases
mv "$LOG" "$E2E_WORK/console-1.log"

echo "== boot 2: roothash= on the command line, pullboot.lazy= left to its default"
e2e_uki "$SRV/demo.efi" "rd.systemd.pull=raw,machine,verify=checksum,blockdev,bootorigin:rootdisk:demo.raw root=gpt-auto roothash=$roothash"
e2e_vm --serve "$SRV" --boot demo.efi --fail 'Kernel panic'
[ "$VM_RC" = 0 ] || e2e_fail "boot 2: pullboot-vm exited with $VM_RC (want 0: the guest powered off)"
e2e_assert_console "$(e2e_banner_regex "$NAME" "$(e2e_url_base)/demo.efi")" "boot 2: no banner of the root's init"
e2e_assert_console '^pullboot: http://[^ ]*/demo\.raw served lazily as /dev/nbd0 ' "boot 2: the image was not served lazily by default"
e2e_assert_console "^pullboot: http://[^ ]*/demo\.raw: root partition checked by dm-verity as /dev/dm-0 \(root hash $roothash\)" \
        "boot 2: the root was not set up through dm-verity with the command line's root hash"
e2e_assert_console '^verity-test: canary read failed: .*(I/O|Input/output) error' "boot 2: reading the changed file did not fail with EIO"
e2e_assert_no_console '^verity-test: canary read whole' "boot 2: the root read the changed bytes"
e2e_assert_no_http '^GET /(SHA256SUMS|demo\.roothash)' "boot 2 fetched the checksum list or the sidecar although roothash= was given"
mv "$LOG" "$E2E_WORK/console-2.log"

echo "== boot 3: pullboot.lazy=yes, the sidecar not listed: the whole download must catch the change"
grep -v ' demo\.roothash$' "$SRV/SHA256SUMS" >"$SRV/SHA256SUMS.new" && mv "$SRV/SHA256SUMS.new" "$SRV/SHA256SUMS"
e2e_uki "$SRV/demo.efi" "rd.systemd.pull=raw,machine,verify=checksum,blockdev,bootorigin:rootdisk:demo.raw root=gpt-auto pullboot.lazy=yes pullboot.failure=poweroff"
e2e_vm --serve "$SRV" --boot demo.efi --fail 'Kernel panic'
[ "$VM_RC" = 0 ] || e2e_fail "boot 3: pullboot-vm exited with $VM_RC (want 0: the failure action powered the guest off)"
e2e_assert_console '^pullboot: warning: lazy: http://[^ ]*/demo\.roothash is not listed in a checksum list' \
        "boot 3: no line saying that the sidecar is not listed"
e2e_assert_console '^pullboot: warning: pullboot.lazy=yes: rootdisk is not served lazily \(see above\); downloading the whole image instead' \
        "boot 3: no line saying that the image is downloaded instead"
e2e_assert_http '^GET /demo\.raw -> 200' "boot 3: the image was not downloaded whole"
e2e_assert_console '^pullboot: SHA-256 mismatch for http://[^ ]*/demo\.raw: ' "boot 3: the tampered download was not refused"
e2e_assert_no_console '^pullboot: root mounted' "boot 3: a root was mounted from the tampered image"
e2e_assert_no_console ' served lazily as ' "boot 3: the image was served lazily without a trusted root hash"
echo PASS
