#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A real Debian root (suites e2e and slow): the Debian bookworm minbase + systemd tree that
# debian-root-assets caches becomes a raw DDI (GPT, ESP + x86-64 root, ext4) compressed with
# zstd; the UKI is HTTP-booted, the initrd pulls and verifies the image, finds the root by its
# partition type (root=gpt-auto) and hands over to Debian's systemd, which boots to
# multi-user.target. A unit in the image (pullboot-marker.service) then waits for the boot to
# finish, prints PID 1's name, the root mount, the system state and the failed units to the
# console and powers off. Asserts: systemd is PID 1, the root is the pulled partition mounted
# read-write, the system is "running" (no unit failed), the marker appeared, the guest powered off.
E2E_NAME=boot-debian-root
E2E_TIMEOUT=${E2E_TIMEOUT:-600}
. "$(dirname "$0")/../../helpers/e2e-lib.sh"
. "$(dirname "$0")/boot-debian-root-lib.sh"
e2e_begin
debian_root_tree

# The marker (boot-debian-root-lib.sh) reports the finished boot and powers off.
m=$E2E_WORK/marker
debian_marker "$m"

# The image carries no kernel: the modules systemd asks for (boot-debian-root-lib.sh).
mods=$E2E_WORK/modules
debian_root_modules "$mods"

# Room for the tree plus a third, as a freshly installed system would have.
size=$(( $(du -sm "$DEBIAN_ROOT" | cut -f1) * 4 / 3 + 64 ))
t0=$SECONDS
"$MKIMAGE" --type raw --tree "$DEBIAN_ROOT" --size "$size" \
        --add "$m/pullboot-marker.service:/etc/systemd/system/pullboot-marker.service" \
        --add "$m/wants-link:/etc/systemd/system/multi-user.target.wants/pullboot-marker.service" \
        --add "$m/pullboot-marker:/usr/local/sbin/pullboot-marker" \
        --add "$mods/lib/modules/$KVER:/lib/modules/$KVER" \
        --output "$SRV/debian.raw" || e2e_fail "mkimage --tree $DEBIAN_ROOT failed"
raw_bytes=$(stat -c %s "$SRV/debian.raw")
e2e_compress "$SRV/debian.raw"
echo "image: raw $((raw_bytes / 1048576)) MiB (root partition $size MiB), zst $(( $(stat -c %s "$SRV/debian.raw.zst") / 1048576 )) MiB, built in $((SECONDS - t0)) s"
e2e_sha256sums "$SRV"
e2e_uki "$SRV/debian.efi" 'rd.systemd.pull=raw,machine,verify=checksum,blockdev,bootorigin:rootdisk:debian.raw.zst root=gpt-auto rw'

# Emergency mode would wait for a root password until the timeout; end at once instead.
e2e_vm --serve "$SRV" --boot debian.efi --memory 2048 --fail 'Kernel panic' \
        --fail 'You are in emergency mode' --fail 'Give root password for maintenance'
[ "$VM_RC" = 0 ] || e2e_fail "pullboot-vm exited with $VM_RC (want 0: the marker powered the guest off)"

e2e_assert_console '^pullboot: root mounted after'
e2e_assert_console 'pullboot-marker: pid1 systemd$' "PID 1 of the booted system is not systemd"
e2e_assert_console 'pullboot-marker: root /dev/loop[0-9]+p2 ext4 rw[,$]' "the root is not the pulled image's partition 2 mounted read-write"
e2e_assert_console 'pullboot-marker: multi-user.target active$'
e2e_assert_console 'pullboot-marker: failed units: none$' "units failed (the pullboot-marker: | lines say why)"
e2e_assert_console 'pullboot-marker: system running$' "the system did not finish booting as 'running'"
e2e_assert_console 'pullboot-marker: done, powering off$'
e2e_assert_no_console '\[FAILED\]|\[UNSUPP\]|Failed to find module' "systemd reported a failure while booting"
e2e_assert_no_console '^pullboot: .*(warning|cannot)' "pullboot warned while handing over to systemd"
e2e_assert_http "^GET /debian\.raw\.zst -> 200, $(stat -c %s "$SRV/debian.raw.zst") bytes$"
e2e_phases
t_start=$(e2e_time_of 'pullboot-vm: QEMU started')
t_marker=$(e2e_time_of '^pullboot-marker: done')
echo "QEMU start to marker: $(awk -v a="$t_start" -v b="$t_marker" 'BEGIN { printf "%.1f", b - a }') s"
echo PASS
