#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Space on a small tmpfs (the initrd's /run): a 1 GiB mostly-empty raw image costs about its
# non-zero bytes; downloads and images that cannot fit fail early or with a message naming needed
# and free bytes, never bare ENOSPC noise, and leave the file system as empty as they found it.
. "$(dirname "$0")/lib.sh"
need_root "mounts a tmpfs"
need_tool zstd; need_tool xz

mkdir -p "$T/www" "$T/mnt" "$T/tree"
mount -t tmpfs -o size=48m,mode=0755 pullboot-test "$T/mnt" || skip "cannot mount tmpfs"

# 1 GiB with 8 MiB of data in 8 places.
truncate -s 1G "$T/www/sparse.raw"
for i in 0 1 2 3 4 5 6 7; do
        head -c 1048576 /dev/urandom | dd of="$T/www/sparse.raw" bs=1M seek=$((i * 127 + 3)) conv=notrunc status=none
done
zstd -q -T2 -c "$T/www/sparse.raw" > "$T/www/sparse.raw.zst"
# Incompressible and too large for the tmpfs even compressed.
head -c 60000000 /dev/urandom > "$T/www/big.raw"
# Tiny compressed, 100 MB of non-zero bytes uncompressed: fails while writing. zstd from a file
# records the size (checked up front as a hint), xz does not.
yes 'pullboot fills the disk' | head -c 100000000 > "$T/filler.raw"
zstd -q -c "$T/filler.raw" > "$T/www/filler.raw.zst"
xz -T2 -c "$T/filler.raw" > "$T/www/filler.raw.xz"
cp "$T/filler.raw" "$T/tree/"
tar -C "$T/tree" -cf - . | zstd -q -c > "$T/www/filler.tar.zst"
start_nginx "$T/www"

empty_mnt() {
        local what=$1
        if [ -n "$(ls -A "$T/mnt")" ]; then fail "$what: left $(ls -A "$T/mnt")"; fi
        local used; used=$(df -B1 --output=used "$T/mnt" | tail -1)
        [ "$used" -lt 1048576 ] || fail "$what: $used bytes still used"
}

if "$PULLBOOT" pull --progress=none "$NGINX_URL/sparse.raw.zst" "$T/mnt/sparse.raw" 2> "$T/err"; then
        blocks=$(( $(stat -c %b "$T/mnt/sparse.raw") * $(stat -c %B "$T/mnt/sparse.raw") ))
        nonzero=$((8 * 1048576))
        echo "1 GiB image with $nonzero non-zero bytes: $blocks bytes allocated on tmpfs"
        [ "$blocks" -le $((nonzero * 11 / 10)) ] && ok "sparse: $blocks <= 1.1 x $nonzero" ||
                fail "sparse: $blocks bytes allocated for $nonzero non-zero bytes"
        [ "$(stat -c %s "$T/mnt/sparse.raw")" = 1073741824 ] && ok "size set to 1 GiB" || fail "wrong size"
        cmp -s "$T/www/sparse.raw" "$T/mnt/sparse.raw" && ok "sparse image byte-identical" || fail "sparse image differs"
        rm -f "$T/mnt/sparse.raw"
else
        fail "sparse pull"; cat "$T/err"
fi

expect_failure "download larger than the file system" "not enough space in .* [0-9]+ bytes .* needed, [0-9]+ bytes .* free" \
        "$T/mnt/big.raw" "$PULLBOOT" pull --progress=none "$NGINX_URL/big.raw" "$T/mnt/big.raw"
empty_mnt "big"
expect_failure "fills up while writing (size unknown)" "is full after [0-9]+ bytes" \
        "$T/mnt/filler.raw" "$PULLBOOT" pull --progress=none "$NGINX_URL/filler.raw.xz" "$T/mnt/filler.raw"
empty_mnt "filler xz"
expect_failure "fills up while writing (size known)" "needs [0-9]+ more bytes .* free" \
        "$T/mnt/filler.raw" "$PULLBOOT" pull --progress=none "$NGINX_URL/filler.raw.zst" "$T/mnt/filler.raw"
empty_mnt "filler zstd"
expect_failure "tar larger than the file system" "is full|not enough space" \
        "$T/mnt/tree" "$PULLBOOT" pull --progress=none --type=tar "$NGINX_URL/filler.tar.zst" "$T/mnt/tree"
empty_mnt "filler tar"
if grep -q "No space left on device" "$T/out.log"; then fail "bare ENOSPC message"; fi
finish
