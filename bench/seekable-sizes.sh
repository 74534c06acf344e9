#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Compressed size, compression time and per-frame decoding time of one disk image as plain zstd and
# xz (one frame/block) and as seekable zstd and multi-block xz at several frame sizes, for
# docs/performance.md ("Seekable compression"). Single-threaded throughout (zstd -T1, xz -T1,
# pullboot-mkseekable -T 1) at the tools' default levels (zstd 3, xz 6), so that the times compare.
# Prints a Markdown table. "per read" is the mean compressed frame, what a lazy root fetches for one
# small read that misses its cache; "decode" is pullboot-mkseekable --verify's time to decode a
# frame with the lazy root's decoder (CPU time), mean and slowest.
# Usage: seekable-sizes.sh IMAGE PULLBOOT-MKSEEKABLE [FRAME-SIZES (default "1 4 16", MiB)]
set -euo pipefail
img=$1 mk=$2 sizes=${3:-1 4 16}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
usize=$(stat -c %s "$img")

row() {         # name, output file, command...
        local name=$1 out=$2; shift 2
        /usr/bin/time -f "%e %U" -o "$tmp/time" "$@"
        read -r wall user <"$tmp/time"
        local c per=- dec=-
        c=$(stat -c %s "$out")
        if [ "$name" != "${name%MiB*}" ]; then
                per=$("$mk" --list --json "$out" | python3 -c 'import json,sys; f=json.load(sys.stdin)["frames"]; print("%.2f MiB" % (sum(x["compressed_size"] for x in f) / len(f) / 1048576))')
                dec=$("$mk" --verify "$out" | sed -n 's/.*took \([0-9.]*\) ms of CPU a frame on average, \([0-9.]*\) ms at most/\1 ms, \2 ms/p')
        fi
        printf '| %s | %d | %.2f%% | %s | %s | %s s | %s s |\n' "$name" "$c" "$(echo "$c * 100 / $usize" | bc -l)" \
                "$per" "$dec" "$wall" "$user"
        rm -f "$out"
}

echo "Image: $(basename "$img"), $usize bytes"
echo
echo "| format | compressed bytes | of the image | per read | decode CPU (mean, max) | compress (wall) | compress (CPU) |"
echo "|---|---|---|---|---|---|---|"
row "zstd, one frame" "$tmp/o" sh -c "zstd -q -T1 -c '$img' >'$tmp/o'"
for s in $sizes; do
        row "zstd seekable, ${s} MiB frames" "$tmp/o" "$mk" -T 1 -f "${s}M" -o "$tmp/o" "$img"
done
row "xz, one block" "$tmp/o" sh -c "xz -T1 -c '$img' >'$tmp/o'"
for s in $sizes; do
        row "xz, ${s} MiB blocks" "$tmp/o" sh -c "xz -T1 --block-size=${s}MiB -c '$img' >'$tmp/o'"
done
