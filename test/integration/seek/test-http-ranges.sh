#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Seek tables over HTTP (issue 14): multi-block xz and seekable zstd served by the fault server are
# mapped with a few Range requests from the file's tail (counted in the server's log as well), and
# random ranges decoded frame by frame equal the original image; plain zstd and one-block xz are
# refused as not seekable with the why; a server that ignores Range is an error, not wrong data.
# Needs SEEK_HTTP, MKSEEKABLE and FAULTSERVER (meson sets them).
set -eu
PULLBOOT=${PULLBOOT:-unused}
. "$(dirname "$0")/../pull/lib.sh"
: "${SEEK_HTTP:?}" "${MKSEEKABLE:?}"
need_tool xz
need_tool zstd
for t in mkfs.ext4 sfdisk mkfs.vfat; do need_tool $t; done

make_raw_image "$T/img" 8
mkdir -p "$T/www"
xz -T1 -1 --block-size=1MiB -c "$T/img" >"$T/www/img.xz"
"$MKSEEKABLE" -f 1M -o "$T/www/img.zst" "$T/img" 2>/dev/null
zstd -q -c "$T/img" >"$T/www/plain.zst"
xz -T1 -1 -c "$T/img" >"$T/www/one.xz"
cp "$T/img" "$T/www/img.raw"
start_faultserver "$T/www"

# requests in the server log for a path
requests() { grep -c "$1" "$T/fs.log" || true; }

for f in img.xz img.zst img.raw; do
        if "$SEEK_HTTP" "$FS_URL/$f" "$T/img" >"$T/out" 2>"$T/err"; then
                ok "$f: $(tr '\n' ' ' <"$T/out")"
        else
                fail "$f: $(cat "$T/err")"
                continue
        fi
        n=$(sed -n 's/^table: .* \([0-9]*\) requests.*/\1/p' "$T/out")
        case $f in
        img.xz) [ "$n" -eq 5 ] || fail "$f: $n requests for the table, expected 5" ;;
        img.zst) [ "$n" -eq 3 ] || fail "$f: $n requests for the table, expected 3" ;;
        esac
        # HEAD + table + ranges, and nothing else: the server saw what the reader counted.
        r=$(sed -n 's/^ranges: .* \([0-9]*\) requests.*/\1/p' "$T/out")
        seen=$(requests "/$f")
        [ "$seen" -eq $((1 + n + r)) ] || fail "$f: the server logged $seen requests, the reader made $((1 + n + r))"
done

for f in plain.zst one.xz; do
        rc=0
        "$SEEK_HTTP" "$FS_URL/$f" "$T/img" >"$T/out" 2>"$T/err" || rc=$?
        if [ $rc -eq 3 ] && grep -q -e "pullboot-mkseekable" -e "xz --block-size" "$T/err"; then
                ok "$f refused as not seekable: $(cat "$T/err")"
        else
                fail "$f: exit $rc, expected 3 with advice: $(cat "$T/err")"
        fi
done

# test/helpers/mkimage's seekable forms: DDIs the lazy root can read, in 1 MiB frames and blocks.
for c in zstd-seekable xz-blocks; do
        "$(dirname "$0")/../../helpers/mkimage" --type raw --init /bin/true --name seek --compress $c \
                --frame-size 1M --mkseekable "$MKSEEKABLE" --output "$T/www/ddi.$c"
        case $c in zstd-seekable) zstd -q -d -c "$T/www/ddi.$c" ;; xz-blocks) xz -d -c "$T/www/ddi.$c" ;; esac >"$T/ddi.raw"
        if "$SEEK_HTTP" "$FS_URL/ddi.$c" "$T/ddi.raw" >"$T/out" 2>"$T/err" &&
           grep -q "frames" "$T/out" && ! grep -q " [01] frames" "$T/out"; then
                ok "mkimage --compress $c: $(head -n 1 "$T/out")"
        else
                fail "mkimage --compress $c: $(cat "$T/out" "$T/err")"
        fi
done

rc=0
"$SEEK_HTTP" "$FS_URL/f/norange/img.zst" "$T/img" >"$T/out" 2>"$T/err" || rc=$?
[ $rc -eq 1 ] && ok "a server ignoring Range is an error" || fail "norange: exit $rc: $(cat "$T/err")"
finish
