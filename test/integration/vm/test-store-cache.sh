#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The image store's local-disk cache (issue 13), without QEMU: `pullboot init --dry-run` with
# pullboot.store= treats --prefix as the persistent store, against pullboot-vm's HTTP server.
#   1 first pull: downloads (200), leaves the image and its record (.NAME.pullboot-cache)
#   2 nothing changed: a conditional request, 304, the image is reused as it is
#   3 the stored image was written to: downloaded again (200), the bytes are the published ones
#   4 the server's image changed: downloaded again (200), the new bytes land
#   5 SHA256SUMS changed but the server would answer 304: no reuse (the recorded digest is not
#     the listed one); the download fails verification and the boot fails
#   6 short of room: an image this boot does not name is evicted (logged), the named one stays
# Usage: test-store-cache.sh HTTPD_SERVE PULLBOOT
set -u
SERVE=${1:?usage: test-store-cache.sh HTTPD_SERVE PULLBOOT}
PULLBOOT=${2:?usage: test-store-cache.sh HTTPD_SERVE PULLBOOT}
command -v zstd >/dev/null || { echo "SKIP: zstd is not installed (tools/install-deps installs it)"; exit 77; }

TMP=$(mktemp -d)
PID=
cleanup() {
        [ -z "$PID" ] || { kill "$PID" 2>/dev/null; wait "$PID" 2>/dev/null; }
        rm -rf "$TMP"
}
trap cleanup EXIT
FAILED=0
fail() { echo "FAIL: $*"; FAILED=$((FAILED + 1)); }
ok() { echo "ok: $*"; }

SRV=$TMP/srv
STORE=$TMP/store
mkdir -p "$SRV" "$STORE"
# publish SIZE_KIB: a new random image, compressed, with its SHA256SUMS.
publish() {
        head -c $(($1 * 1024)) /dev/urandom >"$TMP/demo.raw"
        zstd -q -f "$TMP/demo.raw" -o "$SRV/demo.raw.zst"
        (cd "$SRV" && sha256sum demo.raw.zst >SHA256SUMS)
}
publish 512
"$SERVE" "$SRV" >"$TMP/port" 2>"$TMP/server.log" &
PID=$!
for _ in $(seq 50); do [ -s "$TMP/port" ] && break; sleep 0.1; done
PORT=$(cat "$TMP/port")
[ -n "$PORT" ] || { echo "FAIL: the server did not start: $(cat "$TMP/server.log")"; exit 1; }
CMDLINE="rd.systemd.pull=raw,machine,verify=checksum,blockdev:rootdisk:http://127.0.0.1:$PORT/demo.raw.zst \
root=gpt-auto pullboot.net=none pullboot.store=PARTLABEL=pb-test-store"
IMAGE=$STORE/run/machines/rootdisk.raw
RECORD=$STORE/run/machines/.rootdisk.raw.pullboot-cache

# boot NAME: one dry-run boot on the store; output in $TMP/NAME.out, its server lines in NAME.http.
boot() {
        local before
        before=$(wc -l <"$TMP/server.log")
        "$PULLBOOT" init --dry-run --prefix "$STORE" --cmdline "$CMDLINE" >"$TMP/$1.out" 2>&1
        RC=$?
        sleep 0.2   # the server logs a request when it completed
        tail -n +$((before + 1)) "$TMP/server.log" | sed -n 's/^pullboot-vm: http: //p' >"$TMP/$1.http"
}
image_get() { grep -c "^GET /demo.raw.zst -> $2," "$TMP/$1.http"; }
same_image() { cmp -s "$IMAGE" "$TMP/demo.raw"; }

boot first
[ "$RC" = 0 ] && [ "$(image_get first 200)" = 1 ] && same_image && ok "first boot downloads (200) the image" ||
        fail "first boot: rc $RC, requests: $(cat "$TMP/first.http"); $(tail -n 3 "$TMP/first.out")"
grep -q '^download-sha256=' "$RECORD" && grep -q '^etag="' "$RECORD" && grep -q '^image-sha256=' "$RECORD" &&
        ok "the record holds the ETag and both digests" || fail "record: $(cat "$RECORD" 2>&1)"

boot second
[ "$RC" = 0 ] && [ "$(image_get second 304)" = 1 ] && [ "$(image_get second 200)" = 0 ] && same_image &&
        grep -q "reused $IMAGE from the image store: .* answered 304 Not Modified" "$TMP/second.out" &&
        ok "second boot reuses the image after a 304" ||
        fail "second boot: rc $RC, requests: $(cat "$TMP/second.http"); $(grep -v Downloading "$TMP/second.out" | tail -n 4)"

printf 'written by the booted system' | dd of="$IMAGE" bs=1 seek=4096 conv=notrunc status=none
boot written
[ "$RC" = 0 ] && [ "$(image_get written 200)" = 1 ] && same_image &&
        grep -q "changed since it was pulled" "$TMP/written.out" &&
        ok "an image changed in the store is downloaded again" ||
        fail "written: rc $RC, requests: $(cat "$TMP/written.http"); $(tail -n 3 "$TMP/written.out")"

publish 600
boot changed
[ "$RC" = 0 ] && [ "$(image_get changed 200)" = 1 ] && same_image && ok "a changed image on the server is downloaded" ||
        fail "changed: rc $RC, requests: $(cat "$TMP/changed.http"); $(tail -n 3 "$TMP/changed.out")"

# The negative side: the image on the server is unchanged (its ETag would give 304), but the
# list now names another digest. Reusing on the 304 alone would boot an image the list refuses.
cp "$SRV/SHA256SUMS" "$TMP/SHA256SUMS.good"
printf '%064d  demo.raw.zst\n' 0 >"$SRV/SHA256SUMS"
boot sums
[ "$RC" != 0 ] && [ "$(image_get sums 304)" = 0 ] && ! grep -q "reused" "$TMP/sums.out" &&
        grep -q "SHA-256 mismatch" "$TMP/sums.out" && same_image &&
        ok "a changed SHA256SUMS is not satisfied by a 304: no reuse, the download fails verification, the old image stays" ||
        fail "sums: rc $RC, requests: $(cat "$TMP/sums.http"); $(grep -v Downloading "$TMP/sums.out" | tail -n 4)"
cp "$TMP/SHA256SUMS.good" "$SRV/SHA256SUMS"

# Eviction: needs a small file system for the store (a tmpfs in a mount namespace of our own).
if [ "$(id -u)" != 0 ] || ! command -v unshare >/dev/null; then
        echo "SKIP (part 6): eviction needs root and unshare for a small tmpfs"
else
        publish 3072
        EV=$TMP/evict
        mkdir -p "$EV"
        unshare -m sh -c '
                mount -t tmpfs -o size=5m tmpfs "$1" || exit 90
                mkdir -p "$1/run/machines"
                head -c 2621440 /dev/urandom >"$1/run/machines/old.raw"
                echo "url=http://example.com/old.raw" >"$1/run/machines/.old.raw.pullboot-cache"
                "$2" init --dry-run --prefix "$1" --cmdline "$3"
                echo "rc=$?"
                ls -A "$1/run/machines"' sh "$EV" "$PULLBOOT" "$CMDLINE" >"$TMP/evict.out" 2>&1
        if grep -q '^rc=0$' "$TMP/evict.out" &&
           grep -q 'evicted machines/old.raw (2.5 MiB) from the image store' "$TMP/evict.out" &&
           grep -q '^rootdisk.raw$' "$TMP/evict.out" && ! grep -q '^old.raw$' "$TMP/evict.out" &&
           ! grep -q '^.old.raw.pullboot-cache$' "$TMP/evict.out"; then
                ok "short of room, the image this boot does not name is evicted (logged) and the pull succeeds"
        elif grep -q '^rc=90$' "$TMP/evict.out"; then
                echo "SKIP (part 6): cannot mount a tmpfs here: $(cat "$TMP/evict.out")"
        else
                fail "eviction: $(grep -v Downloading "$TMP/evict.out" | tail -n 8)"
        fi
fi

echo "$FAILED failed"
[ "$FAILED" = 0 ]
