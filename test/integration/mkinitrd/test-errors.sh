#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Bad input: exit 2 (usage) or 1 (failure) with a one-line error, and never a partial or changed
# output file.
set -eu
. "$(dirname "$0")/lib.sh"

out=$TMP/initrd.img
echo "previous content" > "$out"
before=$(sha256sum < "$out")

# expect STATUS PATTERN ARGS...: the status, an error line matching PATTERN, the output untouched,
# no temporary files left beside it.
expect() {
        local want=$1 pattern=$2
        shift 2
        local rc=0
        "$MKINITRD" "$@" > "$TMP/stdout" 2> "$TMP/stderr" || rc=$?
        [ "$rc" = "$want" ] || fail "'$*' exited $rc, expected $want: $(cat "$TMP/stderr")"
        grep -q -- "$pattern" "$TMP/stderr" || fail "'$*' printed '$(cat "$TMP/stderr")', expected /$pattern/"
        [ "$(sha256sum < "$out")" = "$before" ] || fail "'$*' changed the output file"
        [ -z "$(ls "$TMP" | grep pbtmp || true)" ] || fail "'$*' left a temporary file"
        echo "ok: $* -> $rc: $(head -n1 "$TMP/stderr")"
}

base=(-k "$KVER" --pullboot "$PULLBOOT" --compress-level 1 -o "$out")
expect 2 "are required" -o "$out"
expect 2 "are required" -k "$KVER"
expect 2 "unexpected argument" "${base[@]}" extra
expect 2 "invalid kernel version" -k ../etc -o "$out"
expect 2 "no modules for kernel 0.0-none" -k 0.0-none --pullboot "$PULLBOOT" -o "$out"
expect 2 "unknown compression 'lz5'" "${base[@]}" -c lz5
expect 2 "not valid for zstd" -k "$KVER" -o "$out" --compress-level 25
expect 2 "not valid for none" -k "$KVER" -o "$out" -c none --compress-level 3
expect 2 "cannot use pullboot binary" -k "$KVER" --pullboot /nonexistent/pullboot -o "$out"
expect 2 "cannot use CA bundle" "${base[@]}" --ca-bundle /nonexistent.crt
expect 2 "cannot use shell" "${base[@]}" --busybox /nonexistent/busybox
expect 2 "give an absolute FILE" "${base[@]}" --add relative/file
expect 2 "give an absolute FILE" "${base[@]}" --add "/etc/hostname:relative"
expect 2 "cannot use --add /nonexistent" "${base[@]}" --add /nonexistent
expect 2 "is not a regular file" "${base[@]}" --add /etc
expect 2 "/init is pullboot" "${base[@]}" --add "/etc/hostname:/init"
expect 2 "no-such-module-xyz is neither" "${base[@]}" -m no-such-module-xyz
SOURCE_DATE_EPOCH=yesterday expect 2 "SOURCE_DATE_EPOCH" "${base[@]}"
# --keyring: a file gpgv can read, and gpgv to read it
expect 2 "cannot use keyring /nonexistent.pgp" "${base[@]}" --keyring /nonexistent.pgp
expect 2 "contradict each other" "${base[@]}" --keyring /etc/hostname --no-keyring
: > "$TMP/empty.pgp"
expect 2 "the keyring $TMP/empty.pgp is empty" "${base[@]}" --keyring "$TMP/empty.pgp"
printf -- '-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmDMEZ\n-----END PGP PUBLIC KEY BLOCK-----\n' > "$TMP/armored.asc"
expect 2 "is ASCII-armored, which gpgv cannot read" "${base[@]}" --keyring "$TMP/armored.asc"
printf 'not armored' > "$TMP/binary.pgp"
# A PATH with what expect() itself runs, but no gpgv.
mkdir "$TMP/bin"
for t in sha256sum grep cat ls head; do ln -s "$(command -v "$t")" "$TMP/bin/$t"; done
PATH=$TMP/bin expect 2 "gpgv is not installed here; install gpgv, or pass --no-keyring" "${base[@]}" --keyring "$TMP/binary.pgp"
# a directory where the output should go: nothing written
mkdir "$TMP/outdir"
expect 2 "is a directory" -k "$KVER" --pullboot "$PULLBOOT" --compress-level 1 -o "$TMP/outdir"
[ -d "$TMP/outdir" ] || fail "the output directory was replaced"
expect 1 "cannot read" --list "$TMP/nonexistent.img"
head -c 5000 /dev/urandom > "$TMP/garbage.img"
expect 1 "" --list "$TMP/garbage.img"

rc=0; "$MKINITRD" --help > "$TMP/help" || rc=$?
[ "$rc" = 0 ] && grep -q -- '--kernel-version' "$TMP/help" || fail "--help"
[ "$("$MKINITRD" --version)" = "pullboot-mkinitrd $("$PULLBOOT" --version | awk '{print $2}')" ] || fail "--version"
echo "PASS"
