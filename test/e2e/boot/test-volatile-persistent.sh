#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# pullboot.overlay=PARTLABEL=pullboot-upper: systemd.volatile=overlay with the upper layer on a
# partition of a second local disk. Two boots: the first writes a file to / (demo-init), which
# lands in upper/ on that partition (read back on the host with debugfs); the second boot finds
# the file in / before writing. The pulled image is attached read-only both times and its
# SHA-256, read by the booted system, is that of the image as built.
E2E_NAME=boot-volatile-persistent
. "$(dirname "$0")/../../helpers/e2e-lib.sh"
. "$(dirname "$0")/volatile-lib.sh"
e2e_begin
e2e_need_tools debugfs

# A GPT disk whose only partition (1 MiB .. 33 MiB) is an empty ext4 named pullboot-upper.
DISK=$E2E_WORK/upper-disk.img
PART=$E2E_WORK/upper-part.img
rm -f "$DISK" "$PART"
truncate -s 34M "$DISK"
printf 'label: gpt\nstart=2048, size=65536, name="pullboot-upper"\n' | sfdisk -q "$DISK" >/dev/null ||
        e2e_fail "sfdisk failed for $DISK"
mkfs.ext4 -q -F "$PART" 32M >/dev/null || e2e_fail "mkfs.ext4 failed"
dd if="$PART" of="$DISK" bs=1M seek=1 conv=notrunc status=none || e2e_fail "dd failed"
# Not a boot device: the firmware keeps booting over HTTP.
VOLATILE_VM_ARGS=(--data-disk "$DISK")

volatile_boot "pullboot e2e volatile persistent" 'pullboot.overlay=PARTLABEL=pullboot-upper'

e2e_assert_console '^pullboot: .* attached as /dev/loop[0-9]+ \(read-only\) with ' "the image was not attached read-only"
e2e_assert_console '^pullboot: pullboot.overlay=PARTLABEL=pullboot-upper: upper layer on /dev/vd[a-z]1 \(ext4\), kept across boots$'
e2e_assert_console '^pullboot demo: mount / overlay rw$' "/ is not a writable overlay"
e2e_assert_console '^pullboot demo: / lacked the file before$' "the first boot found the file already"
e2e_assert_console '^pullboot demo: write / ok$' "the booted system could not write to /"
e2e_assert_console '^pullboot demo: overlay upper /run/pullboot/overlay-upper/upper has the file written to /$' \
        "the write to / is not in the partition's upper"
e2e_assert_no_console '^pullboot demo: overlay upper /run/systemd/overlay-sysroot' "a tmpfs upper was set up too"
volatile_loop_line
[ "$LOOP_RO" = 1 ] || e2e_fail "the loop device is not read-only (/sys/block/loopN/ro = $LOOP_RO)"
volatile_assert_image_unchanged

# On the host: the file is on the partition, in upper/.
dd if="$DISK" of="$PART" bs=1M skip=1 count=32 status=none
GOT=$(debugfs -R 'cat /upper/pullboot-demo-write' "$PART" 2>/dev/null)
[ "$GOT" = "written after switch_root" ] || e2e_fail "upper/pullboot-demo-write on the partition holds '$GOT'"
echo "ok: the partition holds upper/pullboot-demo-write with the text the booted system wrote"
e2e_phases

# Second boot: the file is there before the booted system writes anything.
mv "$LOG" "$E2E_WORK/console-1.log"
volatile_run "pullboot e2e volatile persistent"
e2e_assert_console '^pullboot demo: / had the file before$' "the second boot did not see the first boot's write"
volatile_loop_line
volatile_assert_image_unchanged
echo PASS
