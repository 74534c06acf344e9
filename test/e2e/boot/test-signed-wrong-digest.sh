#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A validly signed list with the wrong digest: SHA256SUMS.gpg verifies, but the digest SHA256SUMS
# gives for demo.raw.zst is not the image's. The downloaded image must be refused with both
# digests named; nothing is attached and the failure action runs.
E2E_NAME=boot-signed-wrong-digest
. "$(dirname "$0")/../../helpers/e2e-lib.sh"
. "$(dirname "$0")/signed-lib.sh"
signed_trusted_key
E2E_MKINITRD_ARGS=(--keyring "$SIGNED_KEYRING")
e2e_begin

e2e_image raw "$SRV/demo.raw" "pullboot e2e signed wrong digest"
e2e_compress "$SRV/demo.raw"
wrong=$(printf 'not the image' | sha256sum | cut -d' ' -f1)
printf '%s  demo.raw.zst\n' "$wrong" >"$SRV/SHA256SUMS"
signed_sign "$SRV"
signed_gpgv_ok "$SRV" || e2e_fail "the test's own signature does not verify on the host"
e2e_uki "$SRV/demo.efi" "$SIGNED_PULL"

e2e_vm --serve "$SRV" --boot demo.efi --fail 'Kernel panic' --fail '^pullboot demo: init ran'
[ "$VM_RC" = 0 ] || e2e_fail "pullboot-vm exited with $VM_RC (want 0: the failure action powered the guest off)"

URL=$(e2e_url_base)/demo.raw.zst
actual=$(sha256sum "$SRV/demo.raw.zst" | cut -d' ' -f1)
e2e_assert_console "^pullboot: SHA256SUMS.gpg verifies against the keyring $(e2e_regex_quote "$SIGNED_INITRD_KEYRING")$" \
        "the signature itself should have verified"
e2e_assert_console "^pullboot: SHA-256 mismatch for $(e2e_regex_quote "$URL"): expected $wrong, got $actual; refusing the image" \
        "no SHA-256 mismatch message naming $URL, the signed digest and the image's"
e2e_assert_console "^pullboot: boot failed: cannot pull $(e2e_regex_quote "$URL") .*verification" \
        "the failure message does not name $URL and the verification"
e2e_assert_console '^pullboot: powering off now' "the failure action (poweroff) did not run"
e2e_assert_no_console '^pullboot: .* attached as /dev/loop' "the refused image was attached to a loop device"
e2e_assert_no_console '^pullboot: root mounted' "a root was mounted despite the mismatch"
e2e_assert_no_console '^pullboot demo: init ran' "the refused image's init ran"
e2e_assert_http '^GET /SHA256SUMS -> 200'
e2e_assert_http '^GET /SHA256SUMS\.gpg -> 200'
e2e_assert_http '^GET /demo\.raw\.zst -> 200'
e2e_phases
echo PASS
