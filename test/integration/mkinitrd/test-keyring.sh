#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# verify=signature in the initrd: --keyring FILE puts gpgv, its libraries and FILE (byte-identical,
# as /etc/systemd/import-pubring.pgp) into the image; --no-keyring leaves all of them out; by
# default the keyring systemd-pull would use on this host goes in, if there is one. As root,
# the image's own /init pulls a signed image in a chroot of the image with nothing but what the
# image holds, refuses one signed by another key, and without a keyring refuses at once, naming
# --keyring and the other verify= modes.
set -eu
. "$(dirname "$0")/lib.sh"
command -v cpio >/dev/null || skip "cpio is not installed"
command -v zstd >/dev/null || skip "zstd is not installed"
command -v gpg >/dev/null || skip "gpg is not installed"
command -v gpgv >/dev/null || skip "gpgv is not installed"
[ -x /usr/lib/klibc/bin/ipconfig ] || skip "klibc-utils is not installed"

export GNUPGHOME=$TMP/gnupg
mkdir -m 700 "$GNUPGHOME"
gpg --batch --quiet --passphrase '' --quick-gen-key 'pullboot keyring test <k@invalid>' ed25519 sign never 2>/dev/null
gpg --batch --quiet --export > "$TMP/trusted.pgp"
GNUPGHOME=$TMP/gnupg2; mkdir -m 700 "$GNUPGHOME"
gpg --batch --quiet --passphrase '' --quick-gen-key 'stranger <s@invalid>' ed25519 sign never 2>/dev/null
export GNUPGHOME=$TMP/gnupg

extract() { # IMAGE DIR
        mkdir "$2"
        zstd -dc "$1" | (cd "$2" && cpio -idm --quiet --no-absolute-filenames)
}

"$MKINITRD" -k "$KVER" --pullboot "$PULLBOOT" --compress-level 1 --keyring "$TMP/trusted.pgp" -o "$TMP/key.img" \
        > "$TMP/summary"
grep -qF "verify=signature: gpgv and the keyring $TMP/trusted.pgp (as /etc/systemd/import-pubring.pgp)" "$TMP/summary" ||
        fail "the summary does not name the keyring: $(cat "$TMP/summary")"
"$MKINITRD" -k "$KVER" --pullboot "$PULLBOOT" --compress-level 1 --no-keyring -o "$TMP/nokey.img" > "$TMP/summary"
grep -qF "verify=signature: no keyring in the initrd" "$TMP/summary" || fail "the --no-keyring summary: $(cat "$TMP/summary")"

"$MKINITRD" --list "$TMP/key.img" > "$TMP/key.list"
"$MKINITRD" --list "$TMP/nokey.img" > "$TMP/nokey.list"
gpgv_path=$(command -v gpgv)
for f in /etc/systemd/import-pubring.pgp "$(realpath "$gpgv_path")"; do
        grep -qxF "$f" "$TMP/key.list" || fail "--keyring: $f is not in the image"
        ! grep -qxF "$f" "$TMP/nokey.list" || fail "--no-keyring: $f is in the image"
done
# Every library gpgv needs is in the image (with the soname the loader looks for).
ldd "$gpgv_path" | awk '/=>/ { print $1 }' | while read -r so; do
        grep -q "/$so\( -> .*\)\{0,1\}$" "$TMP/key.list" || fail "--keyring: gpgv's $so is not in the image"
done
extract "$TMP/key.img" "$TMP/k"
cmp "$TMP/k/etc/systemd/import-pubring.pgp" "$TMP/trusted.pgp" || fail "the keyring in the image differs from --keyring"
echo "ok: --keyring adds gpgv, its libraries and the keyring; --no-keyring adds none of them"

# Without either option: the keyring systemd-pull would use on this host, if there is one.
host_keyring=
for k in /etc/systemd/import-pubring.pgp /etc/systemd/import-pubring.gpg /usr/lib/systemd/import-pubring.pgp \
         /usr/lib/systemd/import-pubring.gpg; do
        [ -e "$k" ] && { host_keyring=$k; break; }
done
"$MKINITRD" -k "$KVER" --pullboot "$PULLBOOT" --compress-level 1 -o "$TMP/default.img" > "$TMP/summary"
"$MKINITRD" --list "$TMP/default.img" > "$TMP/default.list"
if [ -n "$host_keyring" ]; then
        grep -qF "verify=signature: gpgv and the keyring $host_keyring (as /etc/systemd/import-pubring.pgp)" "$TMP/summary" ||
                fail "default: the summary does not name $host_keyring: $(cat "$TMP/summary")"
        extract "$TMP/default.img" "$TMP/d"
        cmp "$TMP/d/etc/systemd/import-pubring.pgp" "$host_keyring" || fail "default: the keyring is not $host_keyring"
        grep -qxF "$(realpath "$gpgv_path")" "$TMP/default.list" || fail "default: gpgv is not in the image"
        echo "ok: by default the host's $host_keyring and gpgv go in"
else
        grep -qF "verify=signature: no keyring in the initrd" "$TMP/summary" || fail "default without a host keyring: $(cat "$TMP/summary")"
        ! grep -qxF /etc/systemd/import-pubring.pgp "$TMP/default.list" || fail "default: a keyring appeared from nowhere"
        echo "ok: the host has no systemd keyring, and by default none goes in"
fi

if [ "$(id -u)" != 0 ]; then
        echo "not root: the chroot pulls are left out"
        echo PASS
        exit 0
fi
extract "$TMP/nokey.img" "$TMP/n"
# A signed image and one signed by a stranger, where the chroots see them.
for x in "$TMP/k" "$TMP/n"; do
        mkdir -p "$x/srv/good" "$x/srv/bad"
        head -c 65536 /dev/urandom > "$x/srv/good/image.raw"
        (cd "$x/srv/good" && sha256sum image.raw > SHA256SUMS && gpg --batch --quiet --detach-sign -o SHA256SUMS.gpg SHA256SUMS)
        cp "$x/srv/good/image.raw" "$x/srv/good/SHA256SUMS" "$x/srv/bad/"
        GNUPGHOME=$TMP/gnupg2 gpg --batch --quiet --detach-sign -o "$x/srv/bad/SHA256SUMS.gpg" "$x/srv/bad/SHA256SUMS"
        # /init runs as PID 1's init under its own name; under another it takes verbs.
        ln -s init "$x/pullboot"
        mount -t proc proc "$x/proc"
done
cleanup_mounts() { umount "$TMP/k/proc" "$TMP/n/proc" 2>/dev/null || true; cleanup_tmp; }
trap cleanup_mounts EXIT

# The image's /init, the image's gpgv, the image's keyring: PATH as the kernel leaves it (unset).
CHROOT=$(command -v chroot)
pull() { # DIR URL TARGET
        env -i "$CHROOT" "$1" /pullboot pull --progress=none --verify=signature "$2" "$3"
}
pull "$TMP/k" file:///srv/good/image.raw /tmp/good.raw 2> "$TMP/err" || fail "signed pull in the --keyring image: $(cat "$TMP/err")"
cmp "$TMP/k/tmp/good.raw" "$TMP/k/srv/good/image.raw" || fail "the pulled image differs"
echo "ok: the image's own pullboot, gpgv and keyring verify a signed pull"
rc=0; pull "$TMP/k" file:///srv/bad/image.raw /tmp/bad.raw 2> "$TMP/err" || rc=$?
[ "$rc" = 1 ] && grep -q "SHA256SUMS.gpg does not verify against the keyring /etc/systemd/import-pubring.pgp" "$TMP/err" ||
        fail "a stranger's signature: exit $rc, $(cat "$TMP/err")"
[ ! -e "$TMP/k/tmp/bad.raw" ] || fail "a refused image was left at the target"
echo "ok: a signature by another key is refused"
rc=0; pull "$TMP/n" file:///srv/good/image.raw /tmp/good.raw 2> "$TMP/err" || rc=$?
[ "$rc" = 1 ] || fail "--no-keyring image: verify=signature exited $rc"
grep -q "verify=signature needs a keyring and there is none (.*); build the initrd with pullboot-mkinitrd --keyring FILE.*verify=checksum or verify=sha256:HEX" "$TMP/err" ||
        fail "--no-keyring image: not the one-line refusal: $(cat "$TMP/err")"
[ "$(grep -c . "$TMP/err")" = 1 ] || fail "--no-keyring image: more than one line: $(cat "$TMP/err")"
echo "ok: without a keyring, verify=signature is refused in one line: $(cat "$TMP/err")"
echo PASS
