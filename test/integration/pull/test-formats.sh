#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Every compression x raw/tar through nginx: the result is byte-identical to the source (raw:
# sha256 of the file; tar: a manifest of contents, modes, owners, xattrs, ACLs, devices, links).
# Also file:// and IPv6, and that the raw result is sparse.
. "$(dirname "$0")/lib.sh"
need_root "tar extraction preserves owners and creates device nodes"
need_tool xz; need_tool zstd; need_tool gzip; need_tool bzip2; need_tool python3

mkdir -p "$T/www" "$T/out" "$T/tree"
make_raw_image "$T/www/image.raw" 8
make_tree "$T/tree"
tar --xattrs --xattrs-include='*' --acls --numeric-owner -C "$T/tree" -cf "$T/www/image.tar" .
manifest "$T/tree" > "$T/tree.manifest"
raw_sum=$(sha256sum < "$T/www/image.raw")
start_nginx "$T/www"

# xz1: one block without sizes (plain `xz`); xzcat: two concatenated streams, multi-block then not.
for fmt in none xz xz1 xzcat zstd gzip bzip2; do
        raw=$(compress "$T/www/image.raw" $fmt)
        tarball=$(compress "$T/www/image.tar" $fmt)

        target="$T/out/raw-$fmt.raw"
        if "$PULLBOOT" pull --progress=none "$NGINX_URL/$(basename "$raw")" "$target"; then
                if [ "$(sha256sum < "$target")" = "$raw_sum" ]; then ok "raw $fmt byte-identical"
                else fail "raw $fmt differs from the source"; fi
        else
                fail "raw $fmt: pull failed"
        fi

        target="$T/out/tar-$fmt"
        if "$PULLBOOT" pull --progress=none --type=tar "$NGINX_URL/$(basename "$tarball")" "$target"; then
                manifest "$target" > "$T/tar-$fmt.manifest"
                if diff -u "$T/tree.manifest" "$T/tar-$fmt.manifest"; then ok "tar $fmt identical tree"
                else fail "tar $fmt tree differs"; fi
        else
                fail "tar $fmt: pull failed"
        fi
done

# Holes: the image has long zero runs, and they must not take space.
apparent=$(stat -c %s "$T/out/raw-zstd.raw")
allocated=$(( $(stat -c %b "$T/out/raw-zstd.raw") * $(stat -c %B "$T/out/raw-zstd.raw") ))
if [ "$allocated" -lt $((apparent * 6 / 10)) ]; then ok "sparse: $allocated of $apparent bytes allocated"
else fail "not sparse: $allocated of $apparent bytes allocated"; fi

# file:// goes through the same engine.
"$PULLBOOT" pull --progress=none "file://$T/www/image.raw.xz" "$T/out/file.raw" &&
        [ "$(sha256sum < "$T/out/file.raw")" = "$raw_sum" ] && ok "file:// byte-identical" || fail "file:// pull"

# Redirects are followed.
"$PULLBOOT" pull --progress=none "$NGINX_URL/redirect/image.raw.zst" "$T/out/redirected.raw" &&
        [ "$(sha256sum < "$T/out/redirected.raw")" = "$raw_sum" ] && ok "redirect followed" || fail "redirect"

# IPv6 loopback, when the host has it.
if [ -n "$NGINX_V6" ]; then
        "$PULLBOOT" pull --progress=none "http://[::1]:$NGINX_PORT/image.raw.gz" "$T/out/v6.raw" &&
                [ "$(sha256sum < "$T/out/v6.raw")" = "$raw_sum" ] && ok "IPv6 byte-identical" || fail "IPv6 pull"
fi

# --ro and an existing target.
"$PULLBOOT" pull --progress=none --ro "$NGINX_URL/image.raw.zst" "$T/out/ro.raw" &&
        [ "$(stat -c %a "$T/out/ro.raw")" = 444 ] && ok "--ro gives mode 444" || fail "--ro"
before=$(sha256sum < "$T/out/ro.raw")
rc=0; "$PULLBOOT" pull --progress=none "$NGINX_URL/image.raw.gz" "$T/out/ro.raw" 2> "$T/err" || rc=$?
if [ $rc -ne 0 ] && grep -q "already exists" "$T/err" && [ "$(sha256sum < "$T/out/ro.raw")" = "$before" ]; then
        ok "existing target is kept and refused"
else
        fail "existing target: rc=$rc $(cat "$T/err")"
fi
"$PULLBOOT" pull --progress=none --force "$NGINX_URL/image.raw.gz" "$T/out/ro.raw" &&
        [ "$(stat -c %a "$T/out/ro.raw")" = 644 ] && ok "--force replaces" || fail "--force"

# Exit status 2 for bad usage.
rc=0; "$PULLBOOT" pull --verify=maybe "$NGINX_URL/x" "$T/out/x" 2>/dev/null || rc=$?
[ $rc -eq 2 ] && ok "bad --verify exits 2" || fail "bad --verify exits $rc"
rc=0; "$PULLBOOT" pull "ftp://example/x" "$T/out/x" 2>/dev/null || rc=$?
[ $rc -eq 2 ] && ok "ftp URL exits 2" || fail "ftp URL exits $rc"
finish
