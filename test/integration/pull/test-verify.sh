#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Verification, positive and negative: checksum (URL.sha256, else SHA256SUMS), signature
# (SHA256SUMS.gpg against a throwaway key made here) and a pinned sha256:HEX. A mismatch names both
# digests, exits non-zero and leaves nothing at TARGET.
. "$(dirname "$0")/lib.sh"
need_tool zstd; need_tool gpg; need_tool gpgv

mkdir -p "$T/www/sums" "$T/www/single" "$T/www/bad" "$T/www/signed" "$T/www/none" "$T/out"
make_raw_image "$T/image.raw" 2
zstd -q -c "$T/image.raw" > "$T/image.raw.zst"
want=$(sha256sum < "$T/image.raw")
zsum=$(sha256sum "$T/image.raw.zst" | cut -d' ' -f1)
wrong=$(printf 'not the image' | sha256sum | cut -d' ' -f1)
for d in sums single bad signed none; do cp "$T/image.raw.zst" "$T/www/$d/"; done
printf '%s *other.raw.zst\n%s *image.raw.zst\n' "$wrong" "$zsum" > "$T/www/sums/SHA256SUMS"
printf '%s  image.raw.zst\n' "$zsum" > "$T/www/single/image.raw.zst.sha256"
printf '%s  image.raw.zst\n' "$wrong" > "$T/www/single/SHA256SUMS"   # must not be consulted
printf '%s  image.raw.zst\n' "$wrong" > "$T/www/bad/SHA256SUMS"
printf '%s  image.raw.zst\n' "$zsum" > "$T/www/signed/SHA256SUMS"

# A throwaway signing key, and a second one that must not be trusted.
export GNUPGHOME="$T/gnupg"
mkdir -m 700 "$GNUPGHOME"
gpg --batch --quiet --passphrase '' --quick-gen-key 'pullboot test <test@invalid>' ed25519 sign never 2>/dev/null
gpg --batch --quiet --export > "$T/trusted.pgp"
gpg --batch --quiet --detach-sign -o "$T/www/signed/SHA256SUMS.gpg" "$T/www/signed/SHA256SUMS"
GNUPGHOME="$T/gnupg2"; mkdir -m 700 "$GNUPGHOME"
gpg --batch --quiet --passphrase '' --quick-gen-key 'stranger <x@invalid>' ed25519 sign never 2>/dev/null
gpg --batch --quiet --export > "$T/stranger.pgp"
unset GNUPGHOME
start_nginx "$T/www"

pull() { "$PULLBOOT" pull --progress=none "$@"; }
good() {
        local what=$1 target=$2; shift 2
        if pull "$@" "$target" 2> "$T/err" && [ "$(sha256sum < "$target")" = "$want" ]; then ok "$what"
        else fail "$what"; cat "$T/err"; fi
}

good "checksum from SHA256SUMS" "$T/out/a.raw" --verify=checksum "$NGINX_URL/sums/image.raw.zst"
good "checksum from URL.sha256 first" "$T/out/b.raw" --verify=checksum "$NGINX_URL/single/image.raw.zst"
good "pinned sha256" "$T/out/c.raw" --verify="sha256:$zsum" "$NGINX_URL/none/image.raw.zst"
good "signature" "$T/out/d.raw" --verify=signature --keyring="$T/trusted.pgp" "$NGINX_URL/signed/image.raw.zst"

t="$T/out/fail.raw"
expect_failure "checksum mismatch names both digests" "expected $wrong, got $zsum" "$t" \
        pull --verify=checksum "$NGINX_URL/bad/image.raw.zst" "$t"
expect_failure "no checksum file" "no checksum" "$t" pull --verify=checksum "$NGINX_URL/none/image.raw.zst" "$t"
expect_failure "pinned sha256 mismatch" "expected $wrong, got $zsum" "$t" \
        pull --verify="sha256:$wrong" "$NGINX_URL/none/image.raw.zst" "$t"
expect_failure "signature by an untrusted key" "does not verify" "$t" \
        pull --verify=signature --keyring="$T/stranger.pgp" "$NGINX_URL/signed/image.raw.zst" "$t"
expect_failure "no signature" "no signature" "$t" \
        pull --verify=signature --keyring="$T/trusted.pgp" "$NGINX_URL/sums/image.raw.zst" "$t"
expect_failure "missing keyring" "keyring" "$t" \
        pull --verify=signature --keyring="$T/nonexistent.pgp" "$NGINX_URL/signed/image.raw.zst" "$t"
# Tampering with the signed list after signing.
cp -r "$T/www/signed" "$T/www/tampered"
printf '%s  image.raw.zst\n' "$wrong" > "$T/www/tampered/SHA256SUMS"
expect_failure "tampered SHA256SUMS" "does not verify" "$t" \
        pull --verify=signature --keyring="$T/trusted.pgp" "$NGINX_URL/tampered/image.raw.zst" "$t"
# A tar image that fails verification leaves no directory either: SHA256SUMS lists it by its
# right name with a wrong digest, so the digests are compared (after the tree was unpacked).
tar -C "$T" -cf - image.raw | zstd -q -c > "$T/www/bad/tree.tar.zst"
tsum=$(sha256sum "$T/www/bad/tree.tar.zst" | cut -d' ' -f1)
printf '%s  image.raw.zst\n%s  tree.tar.zst\n' "$wrong" "$wrong" > "$T/www/bad/SHA256SUMS"
expect_failure "tar checksum mismatch names both digests" "expected $wrong, got $tsum" "$T/out/tree" \
        pull --type=tar --verify=checksum "$NGINX_URL/bad/tree.tar.zst" "$T/out/tree"
finish
