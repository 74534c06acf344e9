#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A real Debian root on the lazy root (issue 14; suites e2e and slow): the Debian bookworm minbase
# + systemd tree of boot-debian-root as its GPT image (ESP + x86-64 root, ext4 with 4 KiB blocks:
# debian-lazy-lib.sh says why), served uncompressed (the lazy root serves raw 1:1, and a sparse
# raw image costs the host nothing) and booted with pullboot.lazy=yes: the initrd serves it as
# /dev/nbd0 from HTTP range requests, Debian's systemd mounts its ext4 root read-write from
# /dev/nbd0p2 (writes stay in the lazy server's RAM) and reaches multi-user.target; the marker
# unit reports and powers off. verify=no: the lazy root serves only unverified images, which the
# test's plain local HTTP makes acceptable here. Asserts the marker's lines (systemd's own
# "Reached target multi-user.target" may be missing from the console once the serial getty has
# started), that the image was never downloaded whole, and the issue's figures: bytes fetched
# (the server's log) at most twice the bytes the boot read from the device (/sys/block/nbd0/stat),
# and the lazy server's memfd at most the bytes fetched + 64 MiB. Prints image size, bytes
# fetched, ratio, bytes read, memfd. Through the poweroff: /dev/nbd0 must stay connected (the
# server attaches it through the nbd netlink family; with the ioctls, systemd-shutdown's
# SIGSTOP/SIGCONT broadcast ended the NBD_DO_IT wait and the kernel shut the socket down under the
# mounted root). LAZY_DEBIAN_NBD=ioctl forces the old ioctl path (PULLBOOT_LAZY_NBD=ioctl on the
# kernel command line, which the initrd's PID 1 gets as environment): the test must then fail.
E2E_NAME=boot-lazy-debian
E2E_TIMEOUT=${E2E_TIMEOUT:-540}
. "$(dirname "$0")/../../helpers/e2e-lib.sh"
. "$(dirname "$0")/boot-debian-root-lib.sh"
. "$(dirname "$0")/debian-lazy-lib.sh"
e2e_begin
debian_root_tree

t0=$SECONDS
debian_lazy_image "$SRV/debian.raw"
size=$(stat -c %s "$SRV/debian.raw")
echo "image: raw $((size / 1048576)) MiB, built in $((SECONDS - t0)) s"
force=
[ "${LAZY_DEBIAN_NBD:-}" = ioctl ] && force=' PULLBOOT_LAZY_NBD=ioctl'
e2e_uki "$SRV/debian.efi" "rd.systemd.pull=raw,machine,verify=no,blockdev,bootorigin:rootdisk:debian.raw root=gpt-auto rw pullboot.lazy=yes$force"

# Emergency mode would wait for a root password until the timeout; end at once instead.
e2e_vm --serve "$SRV" --boot debian.efi --memory 1024 --fail 'Kernel panic' \
        --fail 'You are in emergency mode' --fail 'Give root password for maintenance'
[ "$VM_RC" = 0 ] || e2e_fail "pullboot-vm exited with $VM_RC (want 0: the marker powered the guest off)"

e2e_assert_console '^pullboot: http://[^ ]*/debian\.raw served lazily as /dev/nbd0 ' "the image was not served lazily as /dev/nbd0"
e2e_assert_no_console 'downloading the whole image instead' "the initrd fell back to the download"
e2e_assert_no_console '^GET /debian\.raw -> 200' "the image was downloaded whole"
e2e_assert_console 'pullboot-marker: pid1 systemd$' "PID 1 of the booted system is not systemd"
e2e_assert_console 'pullboot-marker: root /dev/nbd0p2 ext4 rw[,$]' "the root is not the lazily served partition 2 mounted read-write"
e2e_assert_console 'pullboot-marker: multi-user.target active$'
e2e_assert_console 'pullboot-marker: failed units: none$' "units failed (the pullboot-marker: | lines say why)"
e2e_assert_console 'pullboot-marker: system running$' "the system did not finish booting as 'running'"
e2e_assert_console 'pullboot-marker: done, powering off$'
e2e_assert_no_console '\[FAILED\]|\[UNSUPP\]|Failed to find module' "systemd reported a failure while booting"
# The whole run, poweroff included: the device stays connected until the machine is off, the
# final writes of the shutdown succeed, and pullboot never warns.
e2e_assert_no_console 'block nbd[0-9]+: (shutting down socket|Receive control failed|Send control failed|Dead connection)' \
        "the kernel shut /dev/nbd0's socket down while it was in use"
e2e_assert_no_console 'I/O error.*nbd[0-9]|nbd[0-9].*I/O error|EXT4-fs (error|warning).*nbd' "I/O errors on /dev/nbd0"
e2e_assert_no_console 'lazy: /dev/nbd[0-9]+ disconnected' "the lazy root's device was disconnected"
e2e_assert_no_console 'systemd-shutdown\[1\]: Failed to finalize' "systemd-shutdown could not remount the root read-only"
e2e_assert_no_console '^pullboot: .*(warning|cannot)' "pullboot warned while serving the root"
e2e_assert_console 'reboot: Power down' "the guest did not reach the kernel's power-off"
[ -n "$force" ] || e2e_assert_console '^pullboot: lazy: /dev/nbd0 connected through the nbd netlink family$' \
        "the lazy server did not attach /dev/nbd0 through the nbd netlink family"

# The figures of the boot: up to the marker's device statistics, not the shutdown's reads.
sent=$(debian_lazy_sent_until /debian.raw 'pullboot-marker: stat nbd0')
read=$(debian_lazy_read_bytes nbd0)
memfd=$(debian_lazy_memfd_bytes)
[ "${sent:-0}" -gt 0 ] || e2e_fail "the server log has no bytes sent for /debian.raw"
[ "${read:-0}" -gt 0 ] || e2e_fail "the marker reported no sectors read from /dev/nbd0"
[ -n "$memfd" ] || e2e_fail "the marker found no memfd of the lazy server"
echo "image $size bytes; fetched $sent bytes ($(awk -v s="$sent" -v i="$size" 'BEGIN { printf "%.1f", 100 * s / i }') % of the image)"
echo "the boot read $read bytes from /dev/nbd0: fetched/read $(awk -v s="$sent" -v r="$read" 'BEGIN { printf "%.2f", s / r }')"
echo "the lazy server's own counters at the marker: $(e2e_console | sed -n 's/.*pullboot-marker: lazy //p' | sed -n 1p)"
echo "the lazy server's memfd holds $memfd bytes after boot (bound: fetched + 64 MiB = $((sent + 67108864)))"
echo "QEMU start to the finished boot (multi-user.target, no jobs left): $(debian_lazy_seconds 'pullboot-marker: pid1') s"
[ "$sent" -le $((2 * read)) ] || e2e_fail "fetched $sent bytes for $read bytes read from the device (want at most twice)"
[ "$memfd" -le $((sent + 67108864)) ] || e2e_fail "the lazy server holds $memfd bytes in RAM for $sent bytes fetched (want at most 64 MiB more)"
e2e_phases
echo PASS
