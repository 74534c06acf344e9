#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Issue 15: the tar + bind: example (systemd-import-generator(8)'s example 5) under Debian's
# initramfs-tools initrd with pullboot's hook, turned on by boot=pullboot on the command line: the
# agent unpacks demo.tar.zst into /run/machines/root and bind-mounts it on ${rootmnt}; initramfs-tools'
# init moves /run into it and switches. Asserts the root's init banner with the boot URL.
E2E_NAME=boot-initramfs-tools-tar
. "$(dirname "$0")/../../helpers/e2e-lib.sh"
. "$PB_SRC/test/helpers/initramfs-tools-lib.sh"
rm -f "$PB_BUILD/test/e2e/boot/phases/$E2E_NAME.tsv"
e2e_require
e2e_setup
itools_e2e_initrd

NAME="pullboot e2e initramfs-tools tar"
e2e_image tar "$SRV/demo.tar" "$NAME"
e2e_compress "$SRV/demo.tar"
e2e_sha256sums "$SRV"
e2e_uki "$SRV/demo.efi" 'boot=pullboot rd.systemd.pull=tar,machine,verify=checksum,bootorigin:root:demo.tar.zst root=bind:/run/machines/root'

e2e_vm --serve "$SRV" --boot demo.efi --fail 'Kernel panic' --fail 'pullboot could not mount the root'
[ "$VM_RC" = 0 ] || e2e_fail "pullboot-vm exited with $VM_RC (want 0: the guest powered off)"

URL=$(e2e_url_base)/demo.efi
e2e_assert_console '^pullboot: started at uptime .* \(initramfs-tools, BOOT=pullboot\)' \
        "the initramfs-tools boot script did not run (boot=pullboot)"
e2e_assert_console '^pullboot: root /run/machines/root \(bind, r[ow]\) mounted on /root'
e2e_assert_console "$(e2e_banner_regex "$NAME" "$URL")" "no banner of the unpacked root's init naming $URL"
e2e_assert_no_console '^pullboot demo: init ran from .* \(root /dev/loop' "a tar root came from a loop device"
e2e_assert_http "^GET /demo\.tar\.zst -> 200, $(stat -c %s "$SRV/demo.tar.zst") bytes$"
e2e_assert_http '^GET /SHA256SUMS -> 200'
echo "initramfs-tools initrd: $(stat -c %s "$E2E_INITRD") bytes (build or cache lookup: ${ITOOLS_BUILD_SECONDS} s)"
e2e_phases
echo PASS
