#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Scenario 1, the demo: a raw DDI (GPT, ESP + x86-64 root, ext4) compressed with zstd next to
# SHA256SUMS; the UKI is HTTP-booted from demo.efi, the initrd derives demo.raw.zst from the boot
# URL, verifies it against SHA256SUMS, attaches it and finds the root by its partition type
# (root=gpt-auto). Asserts the root's init banner with the exact boot URL and the server's log.
E2E_NAME=boot-raw-gpt-auto
. "$(dirname "$0")/../../helpers/e2e-lib.sh"
e2e_begin

NAME="pullboot e2e raw gpt-auto"
e2e_image raw "$SRV/demo.raw" "$NAME"
e2e_compress "$SRV/demo.raw"
e2e_sha256sums "$SRV"
e2e_uki "$SRV/demo.efi" 'rd.systemd.pull=raw,machine,verify=checksum,blockdev,bootorigin:rootdisk:demo.raw.zst root=gpt-auto'

e2e_vm --serve "$SRV" --boot demo.efi --fail 'Kernel panic'
[ "$VM_RC" = 0 ] || e2e_fail "pullboot-vm exited with $VM_RC (want 0: the guest powered off)"

URL=$(e2e_url_base)/demo.efi
e2e_assert_console "$(e2e_banner_regex "$NAME" "$URL")" "no banner of the pulled root's init naming $URL"
e2e_assert_console '^pullboot: root mounted after'
e2e_assert_http "^GET /demo\.efi -> 200, $(stat -c %s "$SRV/demo.efi") bytes$"
e2e_assert_http "^GET /demo\.raw\.zst -> 200, $(stat -c %s "$SRV/demo.raw.zst") bytes$"
e2e_assert_http '^GET /SHA256SUMS -> 200'
e2e_phases
echo PASS
