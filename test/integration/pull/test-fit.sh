#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Before the download, say whether it fits (issue 13): into a 24 MiB tmpfs, images whose data
# cannot fit are refused from a few probe requests, with needed and free figures and no request
# for the image itself (the fault server's log shows only closed ranges, bytes=A-B); a sparse image
# that fits is pulled; a server that ignores Range gets no early refusal, only a log line; when the
# target fills up during the download, the "needs N more" figure leaves out the image's zeros.
. "$(dirname "$0")/lib.sh"
need_root "mounts a tmpfs"
need_tool zstd; need_tool xz

mkdir -p "$T/www" "$T/mnt" "$T/tree"
mount -t tmpfs -o size=24m,mode=0755 pullboot-fit "$T/mnt" || skip "cannot mount tmpfs"

MiB=1048576
# 96 MiB with 40 MiB of random data: cannot fit, whatever the zeros.
truncate -s 96M "$T/dense.raw"
head -c $((40 * MiB)) /dev/urandom | dd of="$T/dense.raw" bs=1M seek=10 conv=notrunc status=none
zstd -q -1 -T2 -c "$T/dense.raw" > "$T/www/dense.raw.zst"
xz -0 -T2 --block-size=1MiB -c "$T/dense.raw" > "$T/www/dense.raw.xz"
# 256 MiB with 8 MiB of data: fits, sparsely.
truncate -s 256M "$T/sparse.raw"
for i in 0 1 2 3 4 5 6 7; do
        head -c $MiB /dev/urandom | dd of="$T/sparse.raw" bs=1M seek=$((i * 31 + 2)) conv=notrunc status=none
done
xz -0 -T2 --block-size=1MiB -c "$T/sparse.raw" > "$T/www/sparse.raw.xz"
zstd -q -1 -c "$T/sparse.raw" > "$T/www/sparse.raw.zst"
# A tar of 40 MiB of text (zstd from a file records the size): a tree takes its contents' size.
yes 'pullboot fit' | head -c $((40 * MiB)) > "$T/tree/text"
tar -C "$T/tree" -cf "$T/text.tar" .
zstd -q -c "$T/text.tar" > "$T/www/text.tar.zst"
# Passes the early check (text compresses to nothing), then fills the tmpfs: 16 MiB of text,
# 64 MiB of zeros, 16 MiB of text, 128 MiB of zeros.
{ yes 'pullboot fill' | head -c $((16 * MiB)); head -c $((64 * MiB)) /dev/zero
  yes 'pullboot fill' | head -c $((16 * MiB)); head -c $((128 * MiB)) /dev/zero; } > "$T/filler.raw"
zstd -q -c "$T/filler.raw" > "$T/www/filler.raw.zst"
start_faultserver "$T/www"

pull() { "$PULLBOOT" pull --progress=none --retry-delay=20 "$@"; }

# Only closed-range probes for $1, never a download: no open range, no plain GET, few bytes.
only_probes() {
        local path=$1 what=$2 lines
        lines=$(grep -F "GET $path " "$T/fs.log" || true)
        if [ -z "$lines" ]; then
                fail "$what: no probe request in the server log"
        elif echo "$lines" | grep -Ev "range bytes=[0-9]+-[0-9]+ -> 206, [0-9]+ bytes$" >/dev/null; then
                fail "$what: the image was requested:"; echo "$lines"
        elif [ "$(echo "$lines" | wc -l)" -gt 3 ]; then
                fail "$what: more than three probes:"; echo "$lines"
        else
                ok "$what: only probes: $(echo "$lines" | sed 's/.*range //' | tr '\n' ';')"
        fi
}

refused() {
        local what=$1 file=$2 target=$3; shift 3
        expect_failure "$what" "not enough space in $T/mnt for .*: at least [0-9]+ bytes \(.*\) needed, [0-9]+ bytes \(.*\) free" \
                "$target" pull "$@" "$FS_URL/$file" "$target"
        only_probes "/$file" "$what"
        if grep -q "No space left\|is full" "$T/out.log"; then fail "$what: wrote before refusing"; fi
}

refused "zstd, 40 MiB of data in 24 MiB" dense.raw.zst "$T/mnt/dense.raw"
refused "xz, 40 MiB of data in 24 MiB (index)" dense.raw.xz "$T/mnt/dense.raw"
grep -q "from the xz index" "$T/out.log" && ok "xz: the bound comes from the index" || fail "xz: not from the index"
needed=$(sed -n 's/.*at least \([0-9]*\) bytes.*/\1/p' "$T/out.log")
# 40 random MiB in 1 MiB blocks: each block loses at most 1/32 of itself and 1088 bytes of headers.
[ "$needed" -ge $((40 * MiB * 31 / 32 - 40 * 1088 - 40 * MiB / 1024)) ] && [ "$needed" -le $((40 * MiB)) ] &&
        ok "xz: needed $needed is within the rule's margin of 40 MiB" || fail "xz: needed $needed"
refused "tar.zst larger than the tmpfs" text.tar.zst "$T/mnt/tree" --type=tar

# A sparse image that fits is not refused (its upper bound, 256 MiB, only warns).
for f in sparse.raw.xz sparse.raw.zst; do
        if pull "$FS_URL/$f" "$T/mnt/sparse.raw" 2> "$T/sparse.log" && cmp -s "$T/sparse.raw" "$T/mnt/sparse.raw"; then
                ok "$f: 8 MiB of data in 256 MiB pulled into 24 MiB, byte-identical"
        else
                fail "$f: sparse image refused or wrong"; cat "$T/sparse.log"
        fi
        grep -q "may not fit in $T/mnt: it needs .* to 256.0 MiB" "$T/sparse.log" && ok "$f: warned ($(cat "$T/sparse.log"))" ||
                { fail "$f: no warning about the upper bound"; cat "$T/sparse.log"; }
        rm -f "$T/mnt/sparse.raw"
done

# A server that ignores Range: no early refusal, one line, then the download's own check.
expect_failure "server ignores Range" "ignores Range requests" "$T/mnt/dense.raw" pull "$FS_URL/f/norange/dense.raw.zst" "$T/mnt/dense.raw"
grep -q "not enough space in $T/mnt for the download" "$T/out.log" && ok "norange: the download's check refused it" ||
        { fail "norange: no download check"; cat "$T/out.log"; }

# Filling up during the download: the figure counts what will be stored, not the zeros.
expect_failure "fills up while writing" "is full after [0-9]+ bytes .* stored of .* written .*: the image needs [0-9]+ more bytes" \
        "$T/mnt/filler.raw" pull "$FS_URL/filler.raw.zst" "$T/mnt/filler.raw"
more=$(sed -n 's/.*the image needs \([0-9]*\) more bytes.*/\1/p' "$T/out.log")
written=$(sed -n 's/.* stored of \([0-9.]*\) MiB written.*/\1/p' "$T/out.log")
# Counting zeros, the rest would be 224 MiB less what was written (at least 80 MiB): over 100 MiB.
if [ -n "$more" ] && [ "$more" -lt $((100 * MiB)) ]; then
        ok "needs $more more bytes after ${written} MiB written: the zeros are not counted"
else
        fail "the figure counts the zeros: $(cat "$T/out.log")"
fi
[ -z "$(ls -A "$T/mnt")" ] || fail "left $(ls -A "$T/mnt")"
finish
