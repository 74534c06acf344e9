# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash
# Shared by the lazy-root scenarios (test-lazy-*.sh, issue 14): padding images with data the boot
# never reads, and summing what the server sent for a file.

# lazy_pad IMAGE MIB: appends a partition of MIB MiB of random data (a Linux data partition no
# boot step reads) to a GPT image, so that the image is much larger than what booting it reads.
lazy_pad() {
        local img=$1 mib=$2 start
        truncate -s $(($(stat -c %s "$img") + (mib + 1) * 1048576)) "$img"
        sfdisk -q --relocate gpt-bak-std "$img" 2>/dev/null || e2e_fail "sfdisk cannot move the backup GPT of $img"
        echo "size=${mib}MiB, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, name=padding" |
                sfdisk -q --append "$img" >/dev/null 2>&1 || e2e_fail "sfdisk cannot add the padding partition to $img"
        lazy_refill "$img" "$mib"
}

# lazy_refill IMAGE MIB: new random bytes in the padding partition of IMAGE (another version of it).
lazy_refill() {
        local img=$1 mib=$2 start
        start=$(sfdisk -d "$img" | sed -n 's/.*start= *\([0-9]*\),.*name="padding".*/\1/p')
        [ -n "$start" ] || e2e_fail "no padding partition in $img"
        head -c $((mib * 1048576)) /dev/urandom |
                dd of="$img" bs=1M seek=$((start * 512)) oflag=seek_bytes conv=notrunc iflag=fullblock status=none
}

# lazy_bytes_sent PATH: the bytes the server's log says it sent for GET PATH (all requests).
lazy_bytes_sent() {
        e2e_http | sed -n "s/^GET $(e2e_regex_quote "$1")\( .*\)\{0,1\} -> [0-9]*, \([0-9]*\) bytes.*/\2/p" |
                awk '{ s += $1 } END { printf "%.0f\n", s }'
}

# lazy_requests PATH: how many requests the server's log has for PATH.
lazy_requests() {
        e2e_count_http "^GET $(e2e_regex_quote "$1") "
}

# lazy_need_busybox: BUSYBOX := a statically linked busybox for the root's test hook, or a skip.
lazy_need_busybox() {
        BUSYBOX=$(command -v busybox || true)
        [ -n "$BUSYBOX" ] && file -L "$BUSYBOX" | grep -q 'statically linked' ||
                e2e_skip "no static busybox for the root's hook (Debian package busybox-static)"
}
