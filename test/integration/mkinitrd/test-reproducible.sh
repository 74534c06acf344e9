#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Two builds give identical bytes (default zstd, and xz/gzip/none), whatever the source files'
# timestamps; SOURCE_DATE_EPOCH sets every mtime. Prints the image size for the Debian kernel,
# with and without --shell, next to Debian's own initramfs.
set -eu
. "$(dirname "$0")/lib.sh"
command -v cpio >/dev/null || skip "cpio is not installed"

build() { "$MKINITRD" -k "$KVER" --pullboot "$PULLBOOT" -q "$@"; }

# A copy of pullboot with another mtime and path must not change a byte.
cp "$PULLBOOT" "$TMP/pullboot-copy"
touch -d '2001-02-03 04:05:06' "$TMP/pullboot-copy"

build -o "$TMP/a.img"
(cd "$TMP" && build --pullboot "$TMP/pullboot-copy" -o b.img)
a=$(sha256sum < "$TMP/a.img" | cut -d' ' -f1)
b=$(sha256sum < "$TMP/b.img" | cut -d' ' -f1)
[ "$a" = "$b" ] || fail "two default builds differ: $a vs $b"
echo "default (zstd) builds identical: sha256 $a"

for c in xz gzip none; do
        level=; [ "$c" = none ] || level="--compress-level $([ "$c" = xz ] && echo 0 || echo 1)"
        build -c "$c" $level -o "$TMP/$c-1.img"
        build -c "$c" $level -o "$TMP/$c-2.img"
        cmp "$TMP/$c-1.img" "$TMP/$c-2.img" || fail "two $c builds differ"
        "$MKINITRD" --list "$TMP/$c-1.img" > "$TMP/$c.list"
        echo "$c builds identical ($(mib "$(size_of "$TMP/$c-1.img")"))"
done
"$MKINITRD" --list "$TMP/a.img" > "$TMP/zstd.list"
for c in xz gzip none; do
        cmp "$TMP/zstd.list" "$TMP/$c.list" || fail "the $c image lists other files than the zstd one"
done
case $(file -b "$TMP/xz-1.img") in *CRC32*) ;; *) fail "xz image without the CRC32 check the kernel needs" ;; esac

# Fixed metadata: every entry owned by 0:0 with mtime 0, or SOURCE_DATE_EPOCH.
cpio -itv --quiet < "$TMP/none-1.img" > "$TMP/tv"
awk '$3 != "root" || $4 != "root" { bad = 1 } END { exit bad }' "$TMP/tv" || fail "an entry is not owned by root"
grep -v ' Jan  1  1970 ' "$TMP/tv" && fail "an entry has an mtime other than 0"
SOURCE_DATE_EPOCH=1700000000 build -c none -o "$TMP/epoch.img"
cpio -itv --quiet < "$TMP/epoch.img" | grep -v ' Nov 14  2023 ' && fail "SOURCE_DATE_EPOCH not applied to every entry"
cmp -s "$TMP/epoch.img" "$TMP/none-1.img" && fail "SOURCE_DATE_EPOCH did not change the bytes"
echo "metadata fixed (root:root, mtime 0 or SOURCE_DATE_EPOCH)"

build --shell -o "$TMP/shell.img"
plain=$(size_of "$TMP/a.img")
shell=$(size_of "$TMP/shell.img")
echo "initrd for Debian kernel $KVER (zstd -19):"
echo "  without --shell: $plain bytes ($(mib "$plain"))"
echo "  with --shell:    $shell bytes ($(mib "$shell"))"
[ "$shell" -gt "$plain" ] || fail "--shell did not add busybox"
if [ -f "/boot/initrd.img-$KVER" ]; then
        deb=$(size_of "/boot/initrd.img-$KVER")
        echo "  Debian's initramfs-tools image: $deb bytes ($(mib "$deb"))"
fi
goal=$((8 * 1048576))
if [ "$plain" -le "$goal" ]; then
        echo "  within the 8 MiB goal"
else
        echo "  above the 8 MiB goal by $(mib $((plain - goal)))"
fi
echo "PASS"
