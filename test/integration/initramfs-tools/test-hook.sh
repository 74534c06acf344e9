#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Issue 15: pullboot's initramfs-tools hook puts into the initrd what it says. mkinitramfs (with
# the hook and boot script in a scratch config directory, into a file; see
# test/helpers/initramfs-tools-lib.sh) builds an initrd for Debian's kernel, unmkinitramfs unpacks
# it, and we assert: the agent byte for byte as /usr/bin/pullboot, every library it links, the boot
# script byte for byte, the BOOT=pullboot selector, the CA bundle, gpgv with the keyring given, and
# every module of initrd/init/modules.txt that the kernel has as a module (not built
# in). A second build asks for an ASCII-armored keyring and must fail with the hook's message.
# No QEMU. Usage: test-hook.sh HOOK SCRIPT PULLBOOT MODULE-LIST
set -euo pipefail
export LC_ALL=C

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }

HOOK=$(realpath "$1")
SCRIPT=$(realpath "$2")
AGENT=$(realpath "$3")
MODLIST=$(realpath "$4")
. "$(dirname "$0")/../../helpers/initramfs-tools-lib.sh"

KVER=
for k in /boot/vmlinuz-*; do
        v=${k#/boot/vmlinuz-}
        [ -f "/lib/modules/$v/modules.dep" ] && KVER=$v
done
[ -n "$KVER" ] || skip "no kernel in /boot with modules in /lib/modules (install linux-image-amd64)"
why=$(itools_check_host "$KVER")
[ -z "$why" ] && command -v unmkinitramfs >/dev/null 2>&1 || skip "${why:-unmkinitramfs is not installed}"

TMP=$(mktemp -d /tmp/test-initramfs-tools.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

# Not a real key: the hook only checks that gpgv can read the format (not armored, not empty).
printf '\x99\x01\x0dpullboot test keyring\n' >"$TMP/keyring.pgp"
t0=$SECONDS
itools_mkinitramfs "$TMP/initrd.img" "$KVER" "$HOOK" "$SCRIPT" "$AGENT" "$TMP/mkinitramfs.log" \
        "PULLBOOT_KEYRING=$TMP/keyring.pgp" ||
        { cat "$TMP/mkinitramfs.log" >&2; fail "mkinitramfs with pullboot's hook failed (log above)"; }
echo "mkinitramfs $KVER: $(stat -c %s "$TMP/initrd.img") bytes in $((SECONDS - t0)) s"
! grep -E '^E: ' "$TMP/mkinitramfs.log" || fail "mkinitramfs reported errors"

unmkinitramfs "$TMP/initrd.img" "$TMP/x" || fail "unmkinitramfs could not unpack the initrd"
ROOT=$TMP/x
[ -d "$ROOT/main" ] && ROOT=$ROOT/main   # an early (microcode) archive first

same() {        # same IN-INITRD HOST-FILE WHAT
        [ -f "$ROOT/$1" ] || fail "the initrd has no $1 ($3)"
        cmp -s "$ROOT/$1" "$2" || fail "$1 in the initrd differs from $2 ($3)"
        echo "ok: $1 is $2"
}
same usr/bin/pullboot "$AGENT" "the agent"
same scripts/pullboot "$SCRIPT" "the boot script"
same etc/systemd/import-pubring.pgp "$TMP/keyring.pgp" "the keyring PULLBOOT_KEYRING names"
same etc/ssl/certs/ca-certificates.crt "$(realpath /etc/ssl/certs/ca-certificates.crt)" "the CA bundle"
[ -x "$ROOT/usr/bin/gpgv" ] || fail "no gpgv in the initrd, though a keyring was given"
echo "ok: usr/bin/gpgv"
grep -q 'BOOT=pullboot' "$ROOT/conf/conf.d/pullboot-boot" ||
        fail "no conf/conf.d/pullboot-boot selecting BOOT=pullboot"
echo "ok: conf/conf.d/pullboot-boot selects BOOT=pullboot"

# Every library the agent links, by name, in the initrd's library directories.
n=0
for lib in $(ldd "$AGENT" | sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) .*/\1/p'); do
        base=${lib##*/}
        found=$(find "$ROOT/usr/lib" "$ROOT/usr/lib64" -name "$base" 2>/dev/null | sed -n 1p)
        [ -n "$found" ] || fail "the agent's library $lib is not in the initrd"
        n=$((n + 1))
done
[ "$n" -gt 3 ] || fail "ldd named only $n libraries of $AGENT; the check would prove nothing"
echo "ok: all $n libraries of the agent"

# The modules: those the kernel has as loadable modules must be there.
n=0
for m in $(awk '!/^[#?]/ && NF { print $1 }' "$MODLIST"); do
        file=$(modinfo -k "$KVER" -F filename "$m" 2>/dev/null | sed -n 1p) || file=
        case "$file" in
        "" | "(builtin)")
                echo "note: $m is ${file:-not a module of $KVER}"
                continue
                ;;
        esac
        base=${file##*/}
        base=${base%.xz}
        base=${base%.zst}
        [ -n "$(find "$ROOT/usr/lib/modules/$KVER" -name "$base" | sed -n 1p)" ] ||
                fail "the module $m ($base) is not in the initrd"
        n=$((n + 1))
done
[ "$n" -gt 5 ] || fail "only $n modules of $MODLIST were checked; the kernel's modules look wrong"
echo "ok: all $n loadable modules of $(basename "$MODLIST")"

# A keyring gpgv cannot read stops the build with the hook's message.
printf -- '-----BEGIN PGP PUBLIC KEY BLOCK-----\n' >"$TMP/armored.asc"
if itools_mkinitramfs "$TMP/bad.img" "$KVER" "$HOOK" "$SCRIPT" "$AGENT" "$TMP/bad.log" \
        "PULLBOOT_KEYRING=$TMP/armored.asc"; then
        fail "mkinitramfs succeeded with an ASCII-armored keyring"
fi
grep -q 'E: pullboot: the keyring .* is ASCII-armored' "$TMP/bad.log" ||
        { cat "$TMP/bad.log" >&2; fail "the hook did not say why it refused the armored keyring"; }
echo "ok: an armored keyring fails the build: $(grep 'E: pullboot' "$TMP/bad.log")"
echo PASS
