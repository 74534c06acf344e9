#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A stream with a hole: a cache whose upstream broke mid-slice may go on with the next slice (nginx's
# slice module does; the fleet test met it), so one response lacks bytes from its middle on and ends
# short. A pull whose bytes then do not decode, or not to the expected digest after a resume, starts
# over from byte 0 once; a file that is damaged at the server fails after exactly two downloads, and
# bytes that are wrong from the first one (a wrong format, a wrong pin) are not fetched again.
. "$(dirname "$0")/lib.sh"
need_tool zstd; need_tool xz

mkdir -p "$T/www" "$T/out"
make_raw_image "$T/www/image.raw" 4
want=$(sha256sum < "$T/www/image.raw" | cut -d' ' -f1)
compress "$T/www/image.raw" zstd > /dev/null
compress "$T/www/image.raw" xz > /dev/null
raw_digest=$want
# Damaged at the server: one byte in the middle flipped.
cp "$T/www/image.raw.zst" "$T/www/bad.raw.zst"
size=$(stat -c %s "$T/www/bad.raw.zst")
b=$(od -An -tu1 -j $((size / 2)) -N1 "$T/www/bad.raw.zst" | tr -d ' ')
printf "\\$(printf %o $((b ^ 255)))" | dd of="$T/www/bad.raw.zst" bs=1 seek=$((size / 2)) conv=notrunc status=none
cmp -s "$T/www/image.raw.zst" "$T/www/bad.raw.zst" && { fail "could not damage bad.raw.zst"; finish; }
# Wrong from its first block on: zstd's magic number, a frame header, a block of the reserved type.
{ printf '\x28\xb5\x2f\xfd\x00\x58\x07\x00\x00'; head -c 1048576 /dev/urandom; } > "$T/www/plain.raw.zst"
start_faultserver "$T/www"

# GETs of a path that asked for the whole file (no Range), from the server's log.
whole_gets() { grep -c "GET $1 -> 200" "$T/fs.log" || true; }

pull_ok() { # what path extra-args...
        local what=$1 path=$2; shift 2
        rm -f "$T/out/img"
        if "$PULLBOOT" pull --progress=none --retry-delay=5 "$@" "$FS_URL$path" "$T/out/img" 2> "$T/log"; then
                if [ "$(sha256sum < "$T/out/img" | cut -d' ' -f1)" = "$want" ]; then
                        ok "$what: byte-identical"
                else
                        fail "$what: wrong bytes"
                fi
        else
                fail "$what: the pull failed"; cat "$T/log"
        fi
}

for fmt in zst xz; do
        p=/f/hole=65536/image.raw.$fmt
        pull_ok "$fmt with a 64 KiB hole in its first response" "$p"
        grep -q "pulling it once more from byte 0" "$T/log" && ok "$fmt: said why it started over: $(grep 'once more' "$T/log")" ||
                { fail "$fmt: no restart logged"; cat "$T/log"; }
        n=$(whole_gets "$p")
        [ "$n" = 2 ] && ok "$fmt: the server saw 2 whole downloads" || fail "$fmt: $n whole downloads, expected 2"
done

# Uncompressed: nothing decodes, so the hole shows at the digest. The short response is resumed by
# Range (the bytes after the hole come then), the joined file does not match the pin: once more.
p=/f/hole=65536/image.raw
pull_ok "raw with a hole, verify=sha256" "$p" --verify=sha256:$raw_digest
grep -q "(if-range) -> 206" "$T/fs.log" && ok "raw: the short response was resumed with If-Range" ||
        fail "raw: no guarded resume in the server log"
n=$(whole_gets "$p")
[ "$n" = 2 ] && ok "raw: the server saw 2 whole downloads" || fail "raw: $n whole downloads, expected 2"

# Damaged at the server: two downloads, then a clear error, nothing at the target.
expect_failure "damaged at the server" "cannot decompress \(zstd\)" "$T/out/bad" \
        "$PULLBOOT" pull --progress=none --retry-delay=5 "$FS_URL/bad.raw.zst" "$T/out/bad"
n=$(whole_gets /bad.raw.zst)
[ "$n" = 2 ] && ok "damaged at the server: given up after 2 downloads" || fail "damaged at the server: $n downloads, expected 2"

# Wrong from byte 0, or a wrong pin on an uninterrupted download: fetched once.
expect_failure "a zstd frame broken from its first block" "cannot decompress" "$T/out/plain" \
        "$PULLBOOT" pull --progress=none --retry-delay=5 "$FS_URL/plain.raw.zst" "$T/out/plain"
n=$(whole_gets /plain.raw.zst)
[ "$n" = 1 ] && ok "bytes wrong from the first block are not fetched again" || fail "bytes wrong from the first block were fetched $n times"
expect_failure "wrong pin" "SHA-256 mismatch" "$T/out/pin" \
        "$PULLBOOT" pull --progress=none --verify=sha256:$(printf '0%.0s' $(seq 64)) "$FS_URL/image.raw" "$T/out/pin"
n=$(whole_gets /image.raw)
[ "$n" = 1 ] && ok "a wrong pin on a whole download is not fetched again" || fail "a wrong pin: fetched $n times"
finish
