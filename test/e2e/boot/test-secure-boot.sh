#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Scenario 8: Secure Boot on (OVMF with Debian's snakeoil keys), the UKI signed with the snakeoil
# db key: the firmware verifies the UKI, our stub hands the (Debian-signed) kernel over, the
# initrd pulls and boots the root, whose init sees Secure Boot enabled.
E2E_NAME=boot-secure-boot
. "$(dirname "$0")/../../helpers/e2e-lib.sh"
e2e_begin
[ -r "$OVMF_DIR/OVMF_CODE_4M.secboot.fd" ] && [ -r "$OVMF_DIR/OVMF_VARS_4M.snakeoil.fd" ] ||
        e2e_skip "OVMF's Secure Boot variant with snakeoil keys is not installed"

NAME="pullboot e2e secure boot"
e2e_image raw "$SRV/demo.raw" "$NAME"
e2e_compress "$SRV/demo.raw"
e2e_sha256sums "$SRV"
e2e_uki "$E2E_WORK/unsigned.efi" 'rd.systemd.pull=raw,machine,verify=checksum,blockdev,bootorigin:rootdisk:demo.raw.zst root=gpt-auto'
e2e_sign "$E2E_WORK/unsigned.efi" "$SRV/demo.efi"
sbverify --cert "$OVMF_KEYS/PkKek-1-snakeoil.pem" "$SRV/demo.efi" >/dev/null 2>&1 || e2e_fail "the signed UKI does not verify"

e2e_vm --serve "$SRV" --boot demo.efi --secure-boot --fail 'Kernel panic' --fail 'Access Denied|Security Violation'
[ "$VM_RC" = 0 ] || e2e_fail "pullboot-vm exited with $VM_RC (want 0: the guest powered off)"

e2e_assert_console '^pullboot-vm: Secure Boot firmware .*OVMF_CODE_4M\.secboot\.fd with variables from .*OVMF_VARS_4M\.snakeoil\.fd$'
URL=$(e2e_url_base)/demo.efi
e2e_assert_console "$(e2e_banner_regex "$NAME" "$URL")" "no banner of the pulled root's init naming $URL"
e2e_assert_console '^pullboot demo: secure boot enabled$' "the booted system does not see Secure Boot enabled"
e2e_phases
echo PASS
