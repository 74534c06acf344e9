#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Scenario 5a: the UKI is served but the image next to it is not (HTTP 404). The initrd must say
# which URL is missing, mount no root and run the failure action (pullboot.failure=poweroff).
E2E_NAME=boot-missing-image
. "$(dirname "$0")/../../helpers/e2e-lib.sh"
e2e_begin

e2e_uki "$SRV/demo.efi" 'rd.systemd.pull=raw,machine,verify=checksum,blockdev,bootorigin:rootdisk:demo.raw.zst root=gpt-auto'

e2e_vm --serve "$SRV" --boot demo.efi --fail 'Kernel panic' --fail '^pullboot demo: init ran'
[ "$VM_RC" = 0 ] || e2e_fail "pullboot-vm exited with $VM_RC (want 0: the failure action powered the guest off)"

URL=$(e2e_url_base)/demo.raw.zst
e2e_assert_console "^pullboot: .*$(e2e_regex_quote "$URL").*404" "no message naming $URL and HTTP 404"
e2e_assert_console '^pullboot: boot failed: '
e2e_assert_console '^pullboot: powering off now' "the failure action (poweroff) did not run"
e2e_assert_no_console '^pullboot: root mounted' "a root was mounted without an image"
e2e_assert_http '^GET /demo\.raw\.zst -> 404'
e2e_assert_no_console '^pullboot-vm: http: GET /demo\.raw\.zst -> 20[06]' "the server sent an image it does not have"
echo PASS
