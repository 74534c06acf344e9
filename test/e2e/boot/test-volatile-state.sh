#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# systemd.volatile=state: the pulled image is the root as usual (attached writable, mounted
# read-only as without rw), with a tmpfs on /var. The booted init can write to /var, not to /.
E2E_NAME=boot-volatile-state
. "$(dirname "$0")/../../helpers/e2e-lib.sh"
. "$(dirname "$0")/volatile-lib.sh"
e2e_begin

volatile_boot "pullboot e2e volatile state" 'systemd.volatile=state'

e2e_assert_console '^pullboot: .* attached as /dev/loop[0-9]+ with ' "the image was not attached as usual (writable)"
e2e_assert_console '^pullboot: root /dev/loop[0-9]+p2 \(ext4, ro\) mounted on /sysroot'
e2e_assert_console '^pullboot: systemd.volatile=state: /var is a tmpfs$'
e2e_assert_console '^pullboot demo: mount / ext4 ro$' "/ is not the image's ext4"
e2e_assert_console '^pullboot demo: mount /var tmpfs rw$' "/var is not a tmpfs"
e2e_assert_console '^pullboot demo: write /var ok$' "the booted system could not write to /var"
e2e_assert_console '^pullboot demo: write / Read-only file system$' "/ was writable"

volatile_loop_line
[ "$LOOP_RO" = 0 ] || e2e_fail "state mode attached the image read-only (/sys/block/loopN/ro = $LOOP_RO)"
volatile_assert_image_unchanged
e2e_phases
echo PASS
