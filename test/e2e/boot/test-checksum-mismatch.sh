#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Scenario 4: SHA256SUMS lists a wrong hash for demo.raw.zst. The initrd must refuse the image
# with a clear message, mount no root, and run the failure action (pullboot.failure=poweroff).
E2E_NAME=boot-checksum-mismatch
. "$(dirname "$0")/../../helpers/e2e-lib.sh"
e2e_begin

e2e_image raw "$SRV/demo.raw" "pullboot e2e checksum mismatch"
e2e_compress "$SRV/demo.raw"
# A well-formed list whose entry is the hash of something else.
wrong=$(printf 'not the image' | sha256sum | cut -d' ' -f1)
printf '%s  demo.raw.zst\n' "$wrong" >"$SRV/SHA256SUMS"
e2e_uki "$SRV/demo.efi" 'rd.systemd.pull=raw,machine,verify=checksum,blockdev,bootorigin:rootdisk:demo.raw.zst root=gpt-auto'

e2e_vm --serve "$SRV" --boot demo.efi --fail 'Kernel panic' --fail '^pullboot demo: init ran'
[ "$VM_RC" = 0 ] || e2e_fail "pullboot-vm exited with $VM_RC (want 0: the failure action powered the guest off)"

URL=$(e2e_url_base)/demo.raw.zst
e2e_assert_console "^pullboot: SHA-256 mismatch for $(e2e_regex_quote "$URL"): expected $wrong, got [0-9a-f]{64}; refusing the image" \
        "no clear SHA-256 mismatch message naming $URL and the expected hash"
e2e_assert_console '^pullboot: boot failed: '
e2e_assert_console '^pullboot: powering off now' "the failure action (poweroff) did not run"
e2e_assert_no_console '^pullboot: root mounted' "a root was mounted despite the mismatch"
e2e_assert_no_console '^pullboot: .* attached as /dev/loop' "the refused image was attached to a loop device"
e2e_assert_no_console '^pullboot demo: init ran' "the refused image's init ran"
e2e_assert_http '^GET /demo\.raw\.zst'
e2e_assert_http '^GET /SHA256SUMS -> 200'
e2e_phases
echo PASS
