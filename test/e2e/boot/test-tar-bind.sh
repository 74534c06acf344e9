#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Scenario 3: a tar.zst root unpacked into /run/machines/root and bind-mounted as the root, the
# form of example 5 of systemd-import-generator(8): root=bind:/run/machines/root.
E2E_NAME=boot-tar-bind
. "$(dirname "$0")/../../helpers/e2e-lib.sh"
e2e_begin

NAME="pullboot e2e tar bind"
e2e_image tar "$SRV/demo.tar" "$NAME"
e2e_compress "$SRV/demo.tar"
e2e_sha256sums "$SRV"
e2e_uki "$SRV/demo.efi" 'rd.systemd.pull=tar,machine,verify=checksum,bootorigin:root:demo.tar.zst root=bind:/run/machines/root'

e2e_vm --serve "$SRV" --boot demo.efi --fail 'Kernel panic'
[ "$VM_RC" = 0 ] || e2e_fail "pullboot-vm exited with $VM_RC (want 0: the guest powered off)"

URL=$(e2e_url_base)/demo.efi
e2e_assert_console "$(e2e_banner_regex "$NAME" "$URL")" "no banner of the unpacked root's init naming $URL"
e2e_assert_no_console '^pullboot demo: init ran from .* \(root /dev/loop' "a tar root came from a loop device"
e2e_assert_http "^GET /demo\.tar\.zst -> 200, $(stat -c %s "$SRV/demo.tar.zst") bytes$"
e2e_assert_http '^GET /SHA256SUMS -> 200'
e2e_phases
echo PASS
