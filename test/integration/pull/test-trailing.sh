#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Trailing data is not truncation: for every decoder (xz block-parallel, xz streaming as a tar
# image takes it, zstd, gzip, bzip2), bytes after the end of the compressed stream are reported as
# "data after the end of the ... stream", a cut-off file as "ends early (truncated download?)", and
# concatenated streams (another member, not garbage) still pull byte-identical.
. "$(dirname "$0")/lib.sh"
need_tool xz; need_tool zstd; need_tool gzip; need_tool bzip2

mkdir -p "$T/www" "$T/out" "$T/tree"
seq 1 300000 > "$T/plain"
xz -T2 --block-size=256KiB -c "$T/plain" > "$T/www/p.xz"
zstd -q -c "$T/plain" > "$T/www/p.zst"
gzip -c "$T/plain" > "$T/www/p.gz"
bzip2 -c "$T/plain" > "$T/www/p.bz2"
seq 1 1000 > "$T/tree/numbers"
tar -C "$T/tree" -cf - . | xz -T1 -c > "$T/www/t.xz"
for f in p.xz p.zst p.gz p.bz2 t.xz; do
        { cat "$T/www/$f"; echo "this is not part of the image"; } > "$T/www/garbage-$f"
        { cat "$T/www/$f"; printf 'x'; } > "$T/www/byte-$f"
        head -c -9 "$T/www/$f" > "$T/www/trunc-$f"
        cat "$T/www/$f" "$T/www/$f" > "$T/www/twice-$f"
done
start_nginx "$T/www"

for f in p.xz p.zst p.gz p.bz2 t.xz; do
        fmt=${f#*.}; fmt=${fmt/zst/zstd}; fmt=${fmt/bz2/bzip2}; fmt=${fmt/gz/gzip}
        type=raw; [ "$f" = t.xz ] && type=tar
        pull=("$PULLBOOT" pull --progress=none --type=$type)
        expect_failure "$f + text" "cannot decompress \($fmt\): data after the end of the $fmt stream" "$T/out/o" \
                "${pull[@]}" "$NGINX_URL/garbage-$f" "$T/out/o"
        grep -q 'ends early' "$T/out.log" && fail "$f + text: also called truncated"
        expect_failure "$f + one byte" "cannot decompress \($fmt\): data after the end of the $fmt stream" "$T/out/o" \
                "${pull[@]}" "$NGINX_URL/byte-$f" "$T/out/o"
        expect_failure "$f cut short" "cannot decompress \($fmt\): $fmt stream ends early \(truncated download\?\)" "$T/out/o" \
                "${pull[@]}" "$NGINX_URL/trunc-$f" "$T/out/o"
        grep -q 'data after' "$T/out.log" && fail "$f cut short: also called trailing data"
        rm -rf "$T/out/o"
        if "${pull[@]}" "$NGINX_URL/twice-$f" "$T/out/o" 2> "$T/twice.log"; then
                if [ $type = raw ] && ! cat "$T/plain" "$T/plain" | cmp -s - "$T/out/o"; then
                        fail "$f twice: content differs"
                else
                        ok "$f twice (concatenated): pulled"
                fi
        else
                fail "$f twice (concatenated)"; cat "$T/twice.log"
        fi
        rm -rf "$T/out/o"
done
finish
