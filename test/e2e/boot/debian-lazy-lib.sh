# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash
# Shared by boot-lazy-debian (test-lazy-debian.sh) and bench/lazy-debian (issue 14): the Debian
# root of boot-debian-root as a raw GPT image (ESP + ext4 root) whose marker unit, once the
# system is up, reports what the boot read and what the lazy server holds, then powers off.
# Sourced after e2e-lib.sh and boot-debian-root-lib.sh.

# debian_lazy_image OUT: the image of $DEBIAN_ROOT (debian_root_tree) with the marker, raw.
# Console lines of the marker, all "pullboot-marker: ...":
#   pid1 NAME / root SOURCE FSTYPE OPTIONS / multi-user.target STATE / failed units: LIST /
#   system STATE / memfd BYTES (RAM the lazy server's memfd holds: its allocated blocks) /
#   lazy STATE (the server's counters, /run/pullboot/lazy/nbd0, on one line) /
#   stat DEV FIELDS (/sys/block/DEV/stat of nbd0 and loop0, when present) /
#   meminfo MemTotal/MemAvailable/Shmem / done, powering off
debian_lazy_image() {
        local out=$1 m=$E2E_WORK/marker size
        # After the common report: the lazy server's RAM and counters, the devices' read counts.
        debian_marker "$m" "$(cat <<'EXTRA'
# The lazy server (comm pullboot-lazy): its memfd is the image's RAM. Shell builtins only, so
# that the scan does not itself read much of the disk; then its counters, then the device's.
for p in /proc/[0-9]*; do
        read -r comm 2>/dev/null <"$p/comm" || continue
        [ "$comm" = pullboot-lazy ] || continue
        for fd in "$p"/fd/*; do
                case $(readlink "$fd") in
                /memfd:*) echo "pullboot-marker: memfd $(stat -L -c '%b %B' "$fd" | awk '{ printf "%.0f", $1 * $2 }')" ;;
                esac
        done
done
[ ! -r /run/pullboot/lazy/nbd0 ] || echo "pullboot-marker: lazy $(tr '\n' ' ' </run/pullboot/lazy/nbd0)"
for d in nbd0 loop0; do
        [ ! -r /sys/block/$d/stat ] || echo "pullboot-marker: stat $d $(cat /sys/block/$d/stat)"
done
echo "pullboot-marker: meminfo $(grep -E '^(MemTotal|MemAvailable|Shmem):' /proc/meminfo | tr -s ' \n' ' ')"
EXTRA
)"
        debian_root_modules "$m/modules"
        # Room for the tree plus a third, as boot-debian-root builds it. Under 512 MiB mkfs.ext4
        # takes its "small" profile, 1 KiB blocks, whose scattered metadata reads and journal
        # writes each cost the lazy server a whole 64 KiB chunk (fetched/read was 2.2 with them);
        # the root of an installed system has 4 KiB blocks, which this mke2fs.conf asks for.
        size=$(( $(du -sm "$DEBIAN_ROOT" | cut -f1) * 4 / 3 + 64 ))
        cat >"$m/mke2fs.conf" <<'CONF'
[defaults]
	base_features = sparse_super,large_file,filetype,resize_inode,dir_index,ext_attr
	default_mntopts = acl,user_xattr
	enable_periodic_fsck = 0
	blocksize = 4096
	inode_size = 256
	inode_ratio = 16384

[fs_types]
	ext4 = {
		features = has_journal,extent,huge_file,flex_bg,metadata_csum,64bit,dir_nlink,extra_isize
	}
CONF
        MKE2FS_CONFIG=$m/mke2fs.conf \
        "$MKIMAGE" --type raw --tree "$DEBIAN_ROOT" --size "$size" \
                --add "$m/pullboot-marker.service:/etc/systemd/system/pullboot-marker.service" \
                --add "$m/wants-link:/etc/systemd/system/multi-user.target.wants/pullboot-marker.service" \
                --add "$m/pullboot-marker:/usr/local/sbin/pullboot-marker" \
                --add "$m/modules/lib/modules/$KVER:/lib/modules/$KVER" \
                --output "$out" || e2e_fail "mkimage --tree $DEBIAN_ROOT failed"
}

# debian_lazy_read_bytes DEV: bytes the guest read from /sys/block/DEV (sectors read, field 3).
debian_lazy_read_bytes() {
        e2e_console | sed -n "s/.*pullboot-marker: stat $1 *[0-9]* *[0-9]* *\([0-9]*\) .*/\1/p" | sed -n 1p |
                awk '{ printf "%.0f\n", $1 * 512 }'
}

# debian_lazy_memfd_bytes: RAM held by the lazy server's memfd after boot ('' without one).
debian_lazy_memfd_bytes() {
        e2e_console | sed -n 's/.*pullboot-marker: memfd \([0-9]*\)$/\1/p' | sed -n 1p
}

# debian_lazy_seconds RE: seconds from QEMU's start to the first console line matching RE ('-').
debian_lazy_seconds() {
        awk -v a="$(e2e_time_of 'pullboot-vm: QEMU started')" -v b="$(e2e_time_of "$1")" \
                'BEGIN { if (a == "" || b == "") print "-"; else printf "%.1f\n", b - a }'
}

# debian_lazy_console_until RE: the console up to the first line matching RE (the boot, without
# the shutdown that follows the marker).
debian_lazy_console_until() {
        e2e_console | awk -v re="$1" '!done { print } $0 ~ re { done = 1 }'
}

# debian_lazy_sent_until PATH RE: bytes the server's log says it sent for GET PATH before the
# first console line matching RE (the log and the console share one file, in time order).
debian_lazy_sent_until() {
        debian_lazy_console_until "$2" |
                sed -n "s/^pullboot-vm: http: GET $(e2e_regex_quote "$1")\( .*\)\{0,1\} -> [0-9]*, \([0-9]*\) bytes.*/\2/p" |
                awk '{ s += $1 } END { printf "%.0f\n", s }'
}
