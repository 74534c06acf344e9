#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The pull engine against a misbehaving server: recoverable faults (drops, stalls, 5xx, a server
# that ignores Range, a file that changes mid-transfer) still give a byte-identical image and resume
# with Range/If-Range; unrecoverable ones (404, persistent 500, 416, truncation, a lying
# Content-Length, corrupt data, --max-size) exit non-zero with a clear message and leave nothing.
. "$(dirname "$0")/lib.sh"
need_tool xz; need_tool zstd

mkdir -p "$T/www" "$T/out"
make_raw_image "$T/www/image.raw" 6
xz -T2 --block-size=1MiB -k -c "$T/www/image.raw" > "$T/www/image.raw.xz"
zstd -q -c "$T/www/image.raw" > "$T/www/image.raw.zst"
# The "changed" version served after the first request by the `change` fault.
make_raw_image "$T/alt.raw" 6
xz -T2 -c "$T/alt.raw" > "$T/www/image.raw.xz.alt"
want=$(sha256sum < "$T/www/image.raw")
want_alt=$(sha256sum < "$T/alt.raw")
# Corrupt: one flipped byte in the middle of the compressed stream.
cp "$T/www/image.raw.zst" "$T/www/corrupt.raw.zst"
size=$(stat -c %s "$T/www/corrupt.raw.zst")
printf '\377' | dd of="$T/www/corrupt.raw.zst" bs=1 seek=$((size / 2)) conv=notrunc status=none
cp "$T/www/image.raw.xz" "$T/www/corrupt.raw.xz"
size=$(stat -c %s "$T/www/corrupt.raw.xz")
printf '\377' | dd of="$T/www/corrupt.raw.xz" bs=1 seek=$((size / 3)) conv=notrunc status=none
start_faultserver "$T/www"

pull() { "$PULLBOOT" pull --progress=none --retry-delay=20 "$@"; }

n=0
recovers() {
        local what=$1 spec=$2 file=$3 expect=$4; shift 4
        n=$((n + 1))
        local target="$T/out/r$n.raw"
        if pull "$@" "$FS_URL/f/$spec/$file" "$target" 2> "$T/r$n.log" &&
           [ "$(sha256sum < "$target")" = "$expect" ]; then
                ok "$what: byte-identical"
        else
                fail "$what"; cat "$T/r$n.log"
        fi
}

recovers "3 random drops (xz)" "drop=3,seed=11" image.raw.xz "$want"
recovers "3 random drops (zstd)" "drop=3,seed=12" image.raw.zst "$want"
recovers "drop after 1000 bytes" "dropat=1000" image.raw.xz "$want"
recovers "drop inside the headers' first byte" "dropat=0" image.raw.xz "$want"
recovers "server ignores Range" "norange,drop=1,seed=3" image.raw.xz "$want"
recovers "no ETag (Last-Modified guards the range)" "noetag,drop=2,seed=4" image.raw.xz "$want"
recovers "two HTTP 500 first" "status=500,statusn=2" image.raw.xz "$want"
recovers "file changes mid-transfer" "change,dropat=300000" image.raw.xz "$want_alt"
start=$(date +%s)
recovers "stall (no byte for 30 s) with --stall-timeout=1" "stall=30" image.raw.zst "$want" --stall-timeout=1
[ $(( $(date +%s) - start )) -lt 10 ] && ok "stall detected quickly" || fail "stall took too long"

# The resume must have been a Range request guarded by If-Range.
if grep -q 'dropat=1000/image.raw.xz range bytes=1000- (if-range) -> 206' "$T/fs.log"; then
        ok "resumed at byte 1000 with If-Range, got 206"
else
        fail "no guarded range request in the server log"; grep dropat=1000 "$T/fs.log"
fi
if grep -q 'change,dropat=300000/image.raw.xz range bytes=300000- (if-range) -> 200' "$T/fs.log"; then
        ok "changed file: If-Range mismatch answered with the whole new file"
else
        fail "changed file was not restarted"; grep change "$T/fs.log"
fi

# Candidates: one that does not exist moves on to the next; other failures do not.
if pull "$FS_URL/missing.raw.zst" "$FS_URL/f/status=410/image.raw.zst" "$FS_URL/image.raw.zst" "$T/out/cand.raw" 2> "$T/cand.log" &&
   [ "$(sha256sum < "$T/out/cand.raw")" = "$want" ]; then
        ok "candidates: missing ones skipped, third used"
else
        fail "candidates"; cat "$T/cand.log"
fi
t="$T/out/fail.raw"
expect_failure "candidates: none exists" "none of the 2 candidate URLs exists" "$t" \
        pull "$FS_URL/missing1.raw.zst" "$FS_URL/missing2.raw.zst" "$t"
expect_failure "candidates: a server error does not move on" "giving up" "$t" \
        pull --retries=0 "$FS_URL/f/status=500/image.raw.zst" "$FS_URL/image.raw.zst" "$t"

# SIGTERM in the middle: exit non-zero, temporary removed.
"$PULLBOOT" pull --progress=none "$FS_URL/f/rate=500000/image.raw.zst" "$t" 2> "$T/cancel.log" &
pid=$!
sleep 1.5
kill -TERM $pid
rc=0; wait $pid || rc=$?
if [ $rc -ne 0 ] && [ ! -e "$t" ] && ! ls -A "$T/out" | grep -q '^\.#pull' && grep -q cancelled "$T/cancel.log"; then
        ok "SIGTERM: exit $rc, nothing left"
else
        fail "SIGTERM: rc=$rc $(ls -A "$T/out")"; cat "$T/cancel.log"
fi

expect_failure "404" "does not exist" "$t" pull "$FS_URL/f/status=404/image.raw.xz" "$t"
expect_failure "missing file" "does not exist" "$t" pull "$FS_URL/nonexistent.raw.xz" "$t"
expect_failure "persistent 500" "giving up" "$t" pull --retries=2 "$FS_URL/f/status=500/image.raw.xz" "$t"
expect_failure "416 on a plain request" "416" "$t" pull "$FS_URL/f/status=416/image.raw.xz" "$t"
expect_failure "truncated file" "ends early" "$t" pull "$FS_URL/f/trunc=100000/image.raw.xz" "$t"
expect_failure "Content-Length too large" "giving up|connection ended" "$t" \
        pull --retries=2 "$FS_URL/f/lie=5000/image.raw.xz" "$t"
expect_failure "Content-Length too small" "ends early" "$t" pull "$FS_URL/f/lie=-5000/image.raw.zst" "$t"
expect_failure "corrupt data" "cannot decompress" "$t" pull "$FS_URL/corrupt.raw.zst" "$t"
expect_failure "corrupt xz block (parallel decoder)" "cannot decompress \(xz\): corrupt xz" "$t" \
        pull "$FS_URL/corrupt.raw.xz" "$t"
expect_failure "server that never answers" "no data from .* for 1 s" "$t" \
        pull --retries=1 --stall-timeout=1 "$FS_URL/f/hang=30/image.raw.xz" "$t"
expect_failure "--max-size (compressed)" "max-size" "$t" pull --max-size=100K "$FS_URL/image.raw.xz" "$t"
expect_failure "--max-size (uncompressed)" "max-size" "$t" pull --max-size=5M "$FS_URL/image.raw.xz" "$t"
expect_failure "connection refused" "giving up" "$t" pull --retries=1 "http://127.0.0.1:1/image.raw.xz" "$t"
expect_failure "tar: corrupt data" "cannot decompress|tar" "$T/out/failtar" \
        pull --type=tar "$FS_URL/corrupt.raw.zst" "$T/out/failtar"
finish
