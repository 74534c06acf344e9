#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Signed image, systemd's default verification: SHA256SUMS and its detached signature
# SHA256SUMS.gpg (a throwaway key made by the test) next to demo.raw.zst, as mkosi publishes them;
# rd.systemd.pull= has no verify=, so the pull verifies the signature (systemd's default). The
# initrd is built with pullboot-mkinitrd --keyring (the key's public half). The root's init runs.
E2E_NAME=boot-signed
. "$(dirname "$0")/../../helpers/e2e-lib.sh"
. "$(dirname "$0")/signed-lib.sh"
signed_trusted_key
E2E_MKINITRD_ARGS=(--keyring "$SIGNED_KEYRING")
e2e_begin

NAME="pullboot e2e signed"
e2e_image raw "$SRV/demo.raw" "$NAME"
e2e_compress "$SRV/demo.raw"
e2e_sha256sums "$SRV"
signed_sign "$SRV"
signed_gpgv_ok "$SRV" || e2e_fail "the test's own signature does not verify on the host"
e2e_uki "$SRV/demo.efi" "$SIGNED_PULL"

e2e_vm --serve "$SRV" --boot demo.efi --fail 'Kernel panic'
[ "$VM_RC" = 0 ] || e2e_fail "pullboot-vm exited with $VM_RC (want 0: the guest powered off)"

URL=$(e2e_url_base)/demo.efi
e2e_assert_console "^pullboot: SHA256SUMS.gpg verifies against the keyring $(e2e_regex_quote "$SIGNED_INITRD_KEYRING")$" \
        "the initrd did not say that the signature verified"
e2e_assert_console "$(e2e_banner_regex "$NAME" "$URL")" "no banner of the pulled root's init naming $URL"
e2e_assert_console '^pullboot: root mounted after'
e2e_assert_no_console '^pullboot: .*(mismatch|does not verify|refusing)'
e2e_assert_http '^GET /SHA256SUMS -> 200'
e2e_assert_http "^GET /SHA256SUMS\.gpg -> 200, $(stat -c %s "$SRV/SHA256SUMS.gpg") bytes$"
e2e_assert_http "^GET /demo\.raw\.zst -> 200, $(stat -c %s "$SRV/demo.raw.zst") bytes$"
e2e_phases
echo PASS
