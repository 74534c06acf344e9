#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Secure Boot + pin: the UKI is signed (snakeoil db key) and its .cmdline pins the image with
# verify=sha256:HEX, so the signature covers the image too. With the right image on the server the
# system boots; with the image swapped on the server (the same signed UKI), the boot stops at the
# digest check and nothing is mounted.
E2E_NAME=boot-secure-boot-pin
. "$(dirname "$0")/../../helpers/e2e-lib.sh"
e2e_begin
[ -r "$OVMF_DIR/OVMF_CODE_4M.secboot.fd" ] && [ -r "$OVMF_DIR/OVMF_VARS_4M.snakeoil.fd" ] ||
        e2e_skip "OVMF's Secure Boot variant with snakeoil keys is not installed"

NAME="pullboot e2e secure boot pin"
e2e_image raw "$SRV/demo.raw" "$NAME"
e2e_compress "$SRV/demo.raw"
PIN=$(sha256sum "$SRV/demo.raw.zst" | cut -d' ' -f1)
e2e_uki "$E2E_WORK/unsigned.efi" "rd.systemd.pull=raw,machine,verify=sha256:$PIN,blockdev,bootorigin:rootdisk:demo.raw.zst root=gpt-auto"
e2e_sign "$E2E_WORK/unsigned.efi" "$SRV/demo.efi"
sbverify --cert "$OVMF_KEYS/PkKek-1-snakeoil.pem" "$SRV/demo.efi" >/dev/null 2>&1 || e2e_fail "the signed UKI does not verify"

echo "== boot 1: the pinned image"
e2e_vm --serve "$SRV" --boot demo.efi --secure-boot --fail 'Kernel panic' --fail 'Access Denied|Security Violation' \
        --fail '^pullboot: boot failed'
[ "$VM_RC" = 0 ] || e2e_fail "pullboot-vm exited with $VM_RC (want 0: the guest powered off)"
URL=$(e2e_url_base)/demo.efi
e2e_assert_console "$(e2e_banner_regex "$NAME" "$URL")" "the pinned image did not boot (no banner naming $URL)"
e2e_assert_console '^pullboot demo: secure boot enabled$' "the booted system does not see Secure Boot enabled"
e2e_assert_http "^GET /demo\.raw\.zst -> 200, $(stat -c %s "$SRV/demo.raw.zst") bytes$"
e2e_assert_no_console 'SHA-256 mismatch'
e2e_phases
mv "$LOG" "$E2E_WORK/console-pinned.log"

echo "== boot 2: the image swapped on the server, the same signed UKI"
e2e_image raw "$SRV/demo.raw" "pullboot e2e swapped image"
e2e_compress "$SRV/demo.raw"
GOT=$(sha256sum "$SRV/demo.raw.zst" | cut -d' ' -f1)
[ "$GOT" != "$PIN" ] || e2e_fail "the swapped image has the pinned digest"
e2e_vm --serve "$SRV" --boot demo.efi --secure-boot --fail 'Kernel panic' --fail 'Access Denied|Security Violation' \
        --fail '^pullboot demo: init ran'
[ "$VM_RC" = 0 ] || e2e_fail "pullboot-vm exited with $VM_RC (want 0: the failure action powered the guest off)"
IMG=$(e2e_url_base)/demo.raw.zst
e2e_assert_console "^pullboot: SHA-256 mismatch for $(e2e_regex_quote "$IMG"): expected $PIN, got $GOT; refusing the image" \
        "no digest mismatch naming $IMG, the pin and the swapped image's digest"
e2e_assert_console '^pullboot: boot failed: '
e2e_assert_console '^pullboot: powering off now' "the failure action (poweroff) did not run"
e2e_assert_no_console '^pullboot: root mounted' "a root was mounted from the swapped image"
e2e_assert_no_console '^pullboot demo: init ran' "the swapped image's init ran"
echo PASS
