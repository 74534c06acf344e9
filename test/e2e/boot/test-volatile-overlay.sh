#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# systemd.volatile=overlay with a pulled gpt-auto image: the image is attached to a read-only loop
# device and mounted read-only, an overlayfs with its upper on a tmpfs becomes the root. The
# booted init writes to /; the write lands in /run/systemd/overlay-sysroot/upper, the loop device
# refuses a write, and the SHA-256 of the attached image file, read by the
# booted system after its writes, equals that of the image as built.
E2E_NAME=boot-volatile-overlay
. "$(dirname "$0")/../../helpers/e2e-lib.sh"
. "$(dirname "$0")/volatile-lib.sh"
e2e_begin

volatile_boot "pullboot e2e volatile overlay" 'systemd.volatile=overlay'

e2e_assert_console '^pullboot: .* attached as /dev/loop[0-9]+ \(read-only\) with ' "the image was not attached read-only"
e2e_assert_console '^pullboot: root /dev/loop[0-9]+p2 \(ext4, ro\) mounted on /sysroot' "the image was not mounted read-only"
e2e_assert_console "^pullboot: systemd.volatile=overlay: the root's writes go to /run/systemd/overlay-sysroot/upper$"
e2e_assert_console '^pullboot demo: mount / overlay rw$' "/ is not a writable overlay in the booted system"
e2e_assert_console '^pullboot demo: write / ok$' "the booted system could not write to /"
e2e_assert_console '^pullboot demo: overlay upper /run/systemd/overlay-sysroot/upper has the file written to /$' \
        "the write to / is not in the overlay's upper"

volatile_loop_line
[ "$LOOP_RO" = 1 ] || e2e_fail "the loop device is not read-only (/sys/block/loopN/ro = $LOOP_RO)"
[ "$LOOP_WRITE" != ok ] || e2e_fail "the booted system could write to the loop device"
echo "ok: loop device read-only, a write to it failed ($LOOP_WRITE)"
volatile_assert_image_unchanged
e2e_phases
echo PASS
