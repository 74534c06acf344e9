#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# systemd.volatile=yes: the root is a fresh tmpfs holding only the image's /usr, read-only; the
# image is attached read-only. The image's init lives in /usr (init=), as a /usr-merged system's
# does. The booted init writes to / (the tmpfs), cannot write to the loop device, and the
# attached image file keeps the SHA-256 it was built with.
E2E_NAME=boot-volatile-yes
. "$(dirname "$0")/../../helpers/e2e-lib.sh"
. "$(dirname "$0")/volatile-lib.sh"
e2e_begin

# /etc/demo-release stays behind on the image: the banner names no release.
VOLATILE_BANNER_NAME="the pulled image"
volatile_boot "pullboot e2e volatile yes" 'systemd.volatile=yes init=/usr/lib/demo-init' \
        --add "$DEMO_INIT:/usr/lib/demo-init"

e2e_assert_console '^pullboot: .* attached as /dev/loop[0-9]+ \(read-only\) with ' "the image was not attached read-only"
e2e_assert_console '^pullboot: root /dev/loop[0-9]+p2 \(ext4, ro\) mounted on /sysroot'
e2e_assert_console "^pullboot: systemd.volatile=yes: the root is a tmpfs with the image's /usr read-only$"
e2e_assert_console '^pullboot demo: mount / tmpfs rw$' "/ is not a tmpfs"
e2e_assert_console '^pullboot demo: mount /usr ext4 ro$' "/usr is not the image's, read-only"
e2e_assert_console '^pullboot demo: write / ok$' "the booted system could not write to /"

volatile_loop_line
[ "$LOOP_RO" = 1 ] || e2e_fail "the loop device is not read-only (/sys/block/loopN/ro = $LOOP_RO)"
[ "$LOOP_WRITE" != ok ] || e2e_fail "the booted system could write to the loop device"
volatile_assert_image_unchanged
e2e_phases
echo PASS
