#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# No keyring in the initrd: a signed image is served, but the initrd was built with
# pullboot-mkinitrd --no-keyring, so verify=signature (the default) cannot work. The pull must
# refuse before downloading anything, in one line naming --keyring and the other verify= modes,
# and the failure action runs.
E2E_NAME=boot-signed-no-keyring
. "$(dirname "$0")/../../helpers/e2e-lib.sh"
. "$(dirname "$0")/signed-lib.sh"
signed_trusted_key
E2E_MKINITRD_ARGS=(--no-keyring)
e2e_begin

e2e_image raw "$SRV/demo.raw" "pullboot e2e signed, no keyring"
e2e_compress "$SRV/demo.raw"
e2e_sha256sums "$SRV"
signed_sign "$SRV"
e2e_uki "$SRV/demo.efi" "$SIGNED_PULL"

e2e_vm --serve "$SRV" --boot demo.efi --fail 'Kernel panic' --fail '^pullboot demo: init ran'
[ "$VM_RC" = 0 ] || e2e_fail "pullboot-vm exited with $VM_RC (want 0: the failure action powered the guest off)"

URL=$(e2e_url_base)/demo.raw.zst
e2e_assert_console '^pullboot: verify=signature needs a keyring and there is none \(.*\); build the initrd with pullboot-mkinitrd --keyring FILE, .*verify=checksum or verify=sha256:HEX$' \
        "no one-line refusal naming --keyring and verify=checksum|sha256:"
e2e_assert_console "^pullboot: boot failed: cannot pull $(e2e_regex_quote "$URL") .*verify=signature cannot run in this initrd" \
        "the failure message does not name $URL and the missing keyring"
e2e_assert_console '^pullboot: powering off now' "the failure action (poweroff) did not run"
e2e_assert_no_console '^pullboot: root mounted' "a root was mounted without verification"
e2e_assert_no_console '^pullboot: .* attached as /dev/loop' "something was attached"
# Nothing but the UKI itself was requested: no list, no signature, no image.
e2e_assert_http '^GET /demo\.efi -> 200'
n=$(e2e_count_http '^GET /(SHA256SUMS|SHA256SUMS\.gpg|demo\.raw\.zst)')
[ "$n" = 0 ] || e2e_fail "$n requests for the list, signature or image although the pull cannot verify: $(e2e_http | grep -v demo.efi)"
echo "ok: nothing but the UKI was requested"
e2e_phases
echo PASS
