#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Issue 15: Debian's initramfs-tools initrd (mkinitramfs with pullboot's hook and boot script, into
# a file) instead of pullboot-mkinitrd's, in a UKI with our stub and Debian's kernel. rd.systemd.pull=
# alone selects BOOT=pullboot; initramfs-tools brings the network up (configure_networking), the
# agent pulls demo.raw.zst next to the UKI, verifies it against SHA256SUMS, attaches it and mounts
# the root partition (root=gpt-auto) on ${rootmnt}; initramfs-tools' own init switches into it.
# Asserts the root's init banner with the boot URL, and records the phase times.
E2E_NAME=boot-initramfs-tools-raw
. "$(dirname "$0")/../../helpers/e2e-lib.sh"
. "$PB_SRC/test/helpers/initramfs-tools-lib.sh"
rm -f "$PB_BUILD/test/e2e/boot/phases/$E2E_NAME.tsv"
e2e_require
e2e_setup
itools_e2e_initrd

NAME="pullboot e2e initramfs-tools raw"
e2e_image raw "$SRV/demo.raw" "$NAME"
e2e_compress "$SRV/demo.raw"
e2e_sha256sums "$SRV"
e2e_uki "$SRV/demo.efi" 'rd.systemd.pull=raw,machine,verify=checksum,blockdev,bootorigin:rootdisk:demo.raw.zst root=gpt-auto'

e2e_vm --serve "$SRV" --boot demo.efi --fail 'Kernel panic' --fail 'pullboot could not mount the root'
[ "$VM_RC" = 0 ] || e2e_fail "pullboot-vm exited with $VM_RC (want 0: the guest powered off)"

URL=$(e2e_url_base)/demo.efi
e2e_assert_console '^pullboot: started at uptime .* \(initramfs-tools, BOOT=pullboot\)' \
        "the initramfs-tools boot script did not run (BOOT=pullboot not selected by rd.systemd.pull=)"
e2e_assert_console '^pullboot: network up after .* s: [a-z0-9]+ [0-9.]+$' "configure_networking did not bring up a NIC"
e2e_assert_console '^pullboot: root mounted after'
e2e_assert_console "$(e2e_banner_regex "$NAME" "$URL")" "no banner of the pulled root's init naming $URL"
e2e_assert_http "^GET /demo\.raw\.zst -> 200, $(stat -c %s "$SRV/demo.raw.zst") bytes$"
e2e_assert_http '^GET /SHA256SUMS -> 200'
echo "initramfs-tools initrd: $(stat -c %s "$E2E_INITRD") bytes (build or cache lookup: ${ITOOLS_BUILD_SECONDS} s)"
e2e_phases
echo PASS
