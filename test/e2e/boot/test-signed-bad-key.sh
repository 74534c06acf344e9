#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Signed by the wrong key: SHA256SUMS is right but SHA256SUMS.gpg was made by a key that is not in
# the initrd's keyring. The pull must fail on the signature, before the image is downloaded, with
# a message naming the cause; nothing is attached and the failure action runs.
E2E_NAME=boot-signed-bad-key
. "$(dirname "$0")/../../helpers/e2e-lib.sh"
. "$(dirname "$0")/signed-lib.sh"
signed_trusted_key
E2E_MKINITRD_ARGS=(--keyring "$SIGNED_KEYRING")
e2e_begin

e2e_image raw "$SRV/demo.raw" "pullboot e2e signed by a stranger"
e2e_compress "$SRV/demo.raw"
e2e_sha256sums "$SRV"
signed_stranger_key
signed_sign "$SRV" "$STRANGER_GNUPGHOME"
! signed_gpgv_ok "$SRV" || e2e_fail "the stranger's signature verifies against the trusted keyring on the host"
e2e_uki "$SRV/demo.efi" "$SIGNED_PULL"

e2e_vm --serve "$SRV" --boot demo.efi --fail 'Kernel panic' --fail '^pullboot demo: init ran'
[ "$VM_RC" = 0 ] || e2e_fail "pullboot-vm exited with $VM_RC (want 0: the failure action powered the guest off)"

URL=$(e2e_url_base)/demo.raw.zst
e2e_assert_console '^pullboot: gpgv: .*(No public key|public key not found)' "gpgv's reason (no public key) was not shown"
e2e_assert_console "^pullboot: SHA256SUMS.gpg does not verify against the keyring $(e2e_regex_quote "$SIGNED_INITRD_KEYRING"); refusing the image$" \
        "no message that the signature does not verify against the initrd's keyring"
e2e_assert_console "^pullboot: boot failed: cannot pull $(e2e_regex_quote "$URL") .*verification" \
        "the failure message does not name $URL and the verification"
e2e_assert_console '^pullboot: powering off now' "the failure action (poweroff) did not run"
e2e_assert_no_console '^pullboot: .* attached as /dev/loop' "the refused image was attached to a loop device"
e2e_assert_no_console '^pullboot: root mounted' "a root was mounted despite the bad signature"
e2e_assert_no_console '^pullboot demo: init ran' "the refused image's init ran"
e2e_assert_http '^GET /SHA256SUMS -> 200'
e2e_assert_http '^GET /SHA256SUMS\.gpg -> 200'
[ "$(e2e_count_http '^GET /demo\.raw\.zst')" = 0 ] || e2e_fail "the image was downloaded although its list's signature is bad"
echo "ok: the image itself was never requested"
e2e_phases
echo PASS
