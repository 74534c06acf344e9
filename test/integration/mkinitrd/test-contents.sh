#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# What goes into the initrd: /init is pullboot, its libraries (loader included) and ipconfig's
# klibc runtime resolve, the modules and their fresh indexes are complete and consistent, the CA
# bundle and --add files are byte-identical, and the programs actually run from the image.
set -eu
. "$(dirname "$0")/lib.sh"
command -v cpio >/dev/null || skip "cpio is not installed"
command -v zstd >/dev/null || skip "zstd is not installed"
[ -x /usr/lib/klibc/bin/ipconfig ] || skip "klibc-utils is not installed"
[ -x /bin/busybox ] || skip "busybox-static is not installed"

head -c 3000 /dev/urandom > "$TMP/blob"
img=$TMP/initrd.img
"$MKINITRD" -k "$KVER" --pullboot "$PULLBOOT" --compress-level 3 --shell \
        --add /usr/bin/env --add "$TMP/blob:/etc/pullboot/blob" -o "$img" > "$TMP/summary"
cat "$TMP/summary"
grep -q "entries, [0-9]* kernel modules" "$TMP/summary" || fail "no summary line"

"$MKINITRD" --list "$img" > "$TMP/list"
sort -c "$TMP/list" || fail "--list output is not sorted"
echo "$(wc -l < "$TMP/list") entries listed"

want() { grep -qxF -- "$1" "$TMP/list" || fail "missing from the image: $1"; }
want_re() { grep -qx -- "$1" "$TMP/list" || fail "missing from the image: $1 (pattern)"; }
for d in /dev /proc /sys /run /sysroot /tmp /etc; do want "$d"; done
want /dev/console
want /init
want /etc/initrd-release
want /etc/ssl/certs/ca-certificates.crt
want /etc/pullboot/blob
want /usr/lib/klibc/bin/ipconfig
want_re '/usr/lib/klibc-.*\.so'
# merged /usr: the host's top-level symlinks are recreated, so PT_INTERP paths resolve
want "/lib -> usr/lib"
want "/lib64 -> usr/lib64"
want "/bin -> usr/bin"
want_re '/usr/lib64/ld-linux-x86-64.so.2 -> .*'
want /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2
want /usr/lib/x86_64-linux-gnu/libc.so.6
want_re '/usr/lib/x86_64-linux-gnu/libcurl\(-gnutls\)\{0,1\}.so.4 -> libcurl.*.so.4.*'
want_re '/usr/lib/x86_64-linux-gnu/libkmod.so.2 -> .*'
want /usr/bin/busybox
want "/usr/bin/sh -> busybox"
want /usr/bin/env
moddir=/usr/lib/modules/$KVER
for f in modules.dep modules.dep.bin modules.alias.bin modules.symbols.bin modules.builtin.bin \
         modules.builtin.alias.bin modules.softdep modules.order; do
        want "$moddir/$f"
done
# the plan's modules, dependencies (jbd2 for ext4, dm-mod and dm-bufio for dm-verity) and a softdep (crc32c for ext4)
for m in fs/ext4/ext4.ko fs/jbd2/jbd2.ko drivers/block/loop.ko drivers/net/virtio_net.ko \
         fs/efivarfs/efivarfs.ko fs/erofs/erofs.ko fs/squashfs/squashfs.ko crypto/crc32c_generic.ko \
         fs/overlayfs/overlay.ko drivers/block/nbd.ko drivers/md/dm-verity.ko drivers/md/dm-mod.ko \
         drivers/md/dm-bufio.ko; do
        if grep -q "kernel/$m:" "/lib/modules/$KVER/modules.dep"; then
                want "$moddir/kernel/$m"
        fi
done

mkdir "$TMP/x"
zstd -dc "$img" | (cd "$TMP/x" && cpio -idm --quiet --no-absolute-filenames)
x=$TMP/x
# /init is pullboot stripped as dh_strip strips (the symbol table and debug info go, nothing else
# changes); modules keep every byte, since their signature covers them.
strip --strip-unneeded --remove-section=.comment -o "$TMP/pullboot.stripped" "$PULLBOOT"
cmp "$x/init" "$TMP/pullboot.stripped" || fail "/init is not the stripped pullboot binary"
if LC_ALL=C readelf -S "$x/init" | grep -Eq ' \.(symtab|debug_[a-z]+) '; then
        fail "/init still has a symbol table or debug sections"
fi
cmp "$x/lib/modules/$KVER/kernel/fs/ext4/ext4.ko" "/lib/modules/$KVER/kernel/fs/ext4/ext4.ko" ||
        fail "ext4.ko was changed on its way into the image"
cmp "$x/etc/ssl/certs/ca-certificates.crt" /etc/ssl/certs/ca-certificates.crt || fail "CA bundle differs"
cmp "$x/etc/pullboot/blob" "$TMP/blob" || fail "--add SRC:DEST content differs"
cmp "$x/usr/lib/klibc/bin/ipconfig" /usr/lib/klibc/bin/ipconfig || fail "ipconfig differs"
grep -q '^NAME="pullboot initrd"' "$x/etc/initrd-release" || fail "bad /etc/initrd-release"
[ "$(stat -c %a "$x/tmp")" = 1777 ] || fail "/tmp is not 1777"

# The indexes describe exactly the modules shipped: every module and every dependency named in
# modules.dep is in the image, and every shipped module is in modules.dep.
m=$x/lib/modules/$KVER
tr ' ' '\n' < "$m/modules.dep" | tr -d ':' | sed '/^$/d' | sort -u > "$TMP/dep-files"
(cd "$m" && find kernel -name '*.ko*' | sort) > "$TMP/ko-files"
diff "$TMP/dep-files" "$TMP/ko-files" || fail "modules.dep and the shipped modules disagree"
n_ko=$(wc -l < "$TMP/ko-files")
[ "$n_ko" -ge 10 ] || fail "only $n_ko modules"
cut -d: -f1 "$m/modules.dep" | sort > "$TMP/dep-keys"
diff "$TMP/dep-keys" "$TMP/ko-files" || fail "modules.dep keys and the shipped modules disagree"
# libkmod (through modprobe) resolves ext4 with its deps from the image's own indexes
modprobe -d "$x" -S "$KVER" --show-depends ext4 > "$TMP/ext4-deps" || fail "modprobe cannot resolve ext4 in the image"
grep -q '/ext4.ko' "$TMP/ext4-deps" || fail "ext4 not resolved"
grep -q '/jbd2.ko' "$TMP/ext4-deps" || fail "jbd2 not among ext4's dependencies"
awk '$1 == "insmod" { print $2 }' "$TMP/ext4-deps" | while read -r f; do
        [ -f "$f" ] || fail "modprobe wants $f, not in the image"
done
echo "$n_ko modules, modules.dep consistent"

# The programs run from the image with nothing but the image: the library closure is complete.
if [ "$(id -u)" = 0 ]; then
        out=$(chroot "$x" /init --version) || fail "/init does not run in the image"
        [ "$out" = "pullboot $("$PULLBOOT" --version | awk '{print $2}')" ] || fail "/init --version printed '$out'"
        out=$(chroot "$x" /usr/lib/klibc/bin/ipconfig 2>&1 || true)
        case $out in *"no devices to configure"*) ;; *) fail "ipconfig did not run in the image: $out" ;; esac
        out=$(chroot "$x" /bin/sh -c 'echo shell-ok') || fail "/bin/sh does not run"
        [ "$out" = shell-ok ] || fail "/bin/sh printed '$out'"
        chroot "$x" /usr/bin/env > /dev/null || fail "--add /usr/bin/env does not run in the image"
        echo "pullboot, ipconfig, busybox sh and env run in a chroot of the image"
else
        echo "not root: the chroot checks are left out"
fi
# --no-strip keeps /init byte-identical to the build's pullboot.
"$MKINITRD" -k "$KVER" --pullboot "$PULLBOOT" --compress none --no-strip -q -o "$TMP/nostrip.cpio"
mkdir "$TMP/n"
(cd "$TMP/n" && cpio -idm --quiet --no-absolute-filenames init < "$TMP/nostrip.cpio")
cmp "$TMP/n/init" "$PULLBOOT" || fail "--no-strip: /init differs from the pullboot binary"
echo "PASS"
