#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Scenario 5a: the UKI and SHA256SUMS are served but the image they name is not (HTTP 404). The
# initrd must say which URL is missing, mount no root and run the failure action
# (pullboot.failure=poweroff).
E2E_NAME=boot-missing-image
. "$(dirname "$0")/../../helpers/e2e-lib.sh"
e2e_begin

# The list names the image, which is not there.
e2e_image raw "$E2E_WORK/demo.raw" "pullboot e2e missing image"
e2e_compress "$E2E_WORK/demo.raw"
(cd "$E2E_WORK" && sha256sum demo.raw.zst) >"$SRV/SHA256SUMS"
e2e_uki "$SRV/demo.efi" 'rd.systemd.pull=raw,machine,verify=checksum,blockdev,bootorigin:rootdisk:demo.raw.zst root=gpt-auto'

e2e_vm --serve "$SRV" --boot demo.efi --fail 'Kernel panic' --fail '^pullboot demo: init ran'
[ "$VM_RC" = 0 ] || e2e_fail "pullboot-vm exited with $VM_RC (want 0: the failure action powered the guest off)"

URL=$(e2e_url_base)/demo.raw.zst
e2e_assert_console "^pullboot: $(e2e_regex_quote "$URL") (does not exist|.*404)" "no message saying that $URL does not exist"
e2e_assert_console "^pullboot: boot failed: cannot pull $(e2e_regex_quote "$URL") .*not found on the server" \
        "the failure message does not name $URL and the reason"
e2e_assert_console '^pullboot: powering off now' "the failure action (poweroff) did not run"
e2e_assert_no_console '^pullboot: root mounted' "a root was mounted without an image"
e2e_assert_http '^GET /demo\.raw\.zst -> 404'
e2e_assert_no_console '^pullboot-vm: http: GET /demo\.raw\.zst -> 20[06]' "the server sent an image it does not have"
e2e_phases
echo PASS
