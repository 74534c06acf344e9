# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash
# Builds $WORK/uki.efi: our stub + Debian's kernel + the test initrd + a serial-console .cmdline.
# Expects lib.sh to be sourced and STUB set.
make_test_uki() {
        find_kernel
        build_initrd
        printf 'console=ttyS0 panic=-1 loglevel=4\n' >"$WORK/cmdline"
        build_uki "$STUB" "$WORK/uki.efi" .osrel=/etc/os-release .cmdline="$WORK/cmdline" \
                .linux="$KERNEL" .initrd="$WORK/initrd.img"
}
