#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# dracut 059 (systemd flavour) with 95pullboot, the image missing on the server (HTTP 404) and
# rd.systemd.pull.failure_action=poweroff: the pull unit fails with the agent's error on the
# console, its FailureAction= powers the guest off, no root is mounted.
E2E_NAME=boot-dracut-systemd-fail
. "$(dirname "$0")/../../helpers/e2e-lib.sh"
. "$(dirname "$0")/dracut-lib.sh"
rm -f "$PB_BUILD/test/e2e/boot/phases/$E2E_NAME.tsv"
e2e_require
e2e_setup
dracut_initrd systemd

dracut_image raw "$E2E_WORK/demo.raw" "pullboot e2e dracut missing image"
e2e_compress "$E2E_WORK/demo.raw"
(cd "$E2E_WORK" && sha256sum demo.raw.zst) >"$SRV/SHA256SUMS"
e2e_uki "$SRV/demo.efi" 'rd.systemd.pull=raw,machine,verify=checksum,blockdev,bootorigin:rootdisk:demo.raw.zst root=gpt-auto rd.systemd.pull.failure_action=poweroff'

e2e_vm --serve "$SRV" --boot demo.efi --fail 'Kernel panic' --fail '^pullboot demo: init ran'
[ "$VM_RC" = 0 ] || e2e_fail "pullboot-vm exited with $VM_RC (want 0: the failure action powered the guest off)"

URL=$(e2e_url_base)/demo.raw.zst
e2e_assert_console "pullboot: $(e2e_regex_quote "$URL") (does not exist|.*404)" "no error of the pull unit naming $URL"
e2e_assert_console 'FAILED.*Failed to start pullboot-p' "systemd did not report the pull unit failed"
e2e_assert_console 'reboot: Power down|Powering off' "the guest was not powered off"
e2e_assert_no_console 'Mounted sysroot\.mount' "a root was mounted without an image"
e2e_assert_http '^GET /demo\.raw\.zst -> 404'
dracut_phases systemd
echo PASS
