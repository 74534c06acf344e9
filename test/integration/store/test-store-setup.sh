#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# initrd/store/store.c with real loop devices, each run in a mount namespace of its own with a fresh
# tmpfs on /run (the host's /run is never touched): the default tmpfs store and its size cap; a
# ready-made ext4 partition mounted as it is; a blank one refused without
# pullboot.store-format=yes and made ext4 with it; a vfat partition and a partitioned disk never
# formatted (their bytes unchanged); /run/machines bound to the store's machines/ either way.
# Needs root, loop devices and e2fsprogs/dosfstools; exits 77 (skip) otherwise.
# Usage: test-store-setup.sh TEST-STORE-SETUP
set -u
HARNESS=${1:?usage: test-store-setup.sh TEST-STORE-SETUP}

skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root (loop devices, mounts)"
[ -c /dev/loop-control ] || skip "no /dev/loop-control (loop module not loaded)"
for t in losetup unshare findmnt blkid mkfs.ext4 mkfs.vfat sfdisk; do
        command -v "$t" >/dev/null || skip "$t is not installed"
done

T=$(mktemp -d /tmp/pullboot-store.XXXXXX)
LOOPS=()
cleanup() {
        local d
        for d in "${LOOPS[@]}"; do losetup -d "$d" 2>/dev/null; done
        rm -rf "$T"
}
trap cleanup EXIT
FAILED=0
fail() { echo "FAIL: $*"; FAILED=$((FAILED + 1)); }
ok() { echo "ok: $*"; }

# loop FILE: attaches FILE, sets DEV.
loop() {
        DEV=$(losetup -f --show "$1") || skip "cannot attach a loop device"
        LOOPS+=("$DEV")
}

# run NAME CMDLINE: the harness in a fresh namespace; then what is mounted where. Output in NAME.out.
run() {
        unshare -m sh -c '
                mount --make-rprivate / && mount -t tmpfs tmpfs /run || exit 90
                "$1" "$2" /run/machines/rootdisk.raw
                echo "rc=$?"
                echo "store: $(findmnt -rn -o FSTYPE,OPTIONS /run/pullboot/store)"
                echo "machines: $(findmnt -rn -o SOURCE /run/machines)"
                echo "utab machines: $(findmnt --mtab -rn -o OPTIONS /run/machines)"
                echo "utab store: $(findmnt --mtab -rn -o OPTIONS /run/pullboot/store)"
                touch /run/machines/probe 2>/dev/null && ls /run/pullboot/store/machines' \
                sh "$HARNESS" "$2" >"$T/$1.out" 2>&1
        grep -q '^rc=90$' "$T/$1.out" && skip "cannot mount a tmpfs on /run in a mount namespace"
}
has() { grep -qE -- "$2" "$T/$1.out"; }
show() { tr '\n' '|' <"$T/$1.out"; }

# The default: a tmpfs of its own, three quarters of RAM, /run/machines bound into it.
run tmpfs ""
mem=$(sed -n 's/^MemTotal: *\([0-9]*\) kB$/\1/p' /proc/meminfo)
want_k=$(( (mem * 1024 / 4 * 3 + 4095) / 4096 * 4 ))   # the kernel counts whole pages
if has tmpfs '^rc=0$' && has tmpfs "^store: tmpfs .*size=${want_k}k" && has tmpfs '^probe$' && has tmpfs '^machines: tmpfs\[/machines\]$' &&
   has tmpfs "^pullboot: image store: tmpfs on /run/pullboot/store"; then
        ok "default: a tmpfs store of ${want_k} KiB, /run/machines is its machines/"
else
        fail "tmpfs: $(show tmpfs)"
fi
# libmount (so the booted systemd) sees both mounts as x-initrd.mount: kept until the final
# shutdown instead of a failed unmount of a busy /run/machines at every poweroff.
if has tmpfs '^utab machines: .*x-initrd\.mount' && has tmpfs '^utab store: .*x-initrd\.mount'; then
        ok "default: /run/machines and the store are x-initrd.mount for libmount"
else
        fail "utab: $(show tmpfs)"
fi

# A ready-made ext4 with a file: mounted as it is.
truncate -s 32M "$T/ext4.img"
mkfs.ext4 -q -F -L ready "$T/ext4.img" >/dev/null
loop "$T/ext4.img"
EXT4=$DEV
run ext4 "pullboot.store=$EXT4 pullboot.store-format=yes"
has ext4 '^rc=0$' && has ext4 '^store: ext4 rw' && has ext4 '^probe$' &&
        has ext4 "^machines: $EXT4\[/machines\]$" &&
        [ "$(blkid -o value -s LABEL "$EXT4")" = ready ] &&
        ok "a ready-made ext4 is used as it is (not formatted again)" || fail "ext4: $(show ext4)"

# A blank partition: refused without pullboot.store-format=yes, left blank.
truncate -s 32M "$T/blank.img"
loop "$T/blank.img"
BLANK=$DEV
run blank "pullboot.store=$BLANK"
has blank '^rc=1$' && has blank "is blank; add pullboot.store-format=yes" && ! has blank '^store: .' &&
        [ -z "$(blkid -p -o value -s TYPE "$BLANK" 2>/dev/null)" ] &&
        ok "a blank partition without pullboot.store-format=yes: refused, left blank" || fail "blank: $(show blank)"
run blank-format "pullboot.store=$BLANK pullboot.store-format=yes"
has blank-format '^rc=0$' && has blank-format '^store: ext4 rw' && has blank-format '^probe$' &&
        has blank-format 'making an ext4 file system on the blank' &&
        [ "$(blkid -p -o value -s LABEL "$BLANK")" = pullboot-store ] &&
        ok "a blank partition with pullboot.store-format=yes: ext4 made and mounted" || fail "blank-format: $(show blank-format)"

# Something else: never formatted, even with pullboot.store-format=yes.
truncate -s 32M "$T/vfat.img"
mkfs.vfat "$T/vfat.img" >/dev/null
loop "$T/vfat.img"
VFAT=$DEV
before=$(sha256sum <"$T/vfat.img")
run vfat "pullboot.store=$VFAT pullboot.store-format=yes"
has vfat '^rc=1$' && has vfat "holds vfat, not ext4 or xfs; pullboot formats only blank partitions" &&
        [ "$(sha256sum <"$T/vfat.img")" = "$before" ] &&
        ok "a vfat partition is refused and not touched" || fail "vfat: $(show vfat)"
truncate -s 32M "$T/gpt.img"
printf 'label: gpt\nstart=2048, size=8192\n' | sfdisk -q "$T/gpt.img" >/dev/null
loop "$T/gpt.img"
before=$(sha256sum <"$T/gpt.img")
run gpt "pullboot.store=$DEV pullboot.store-format=yes"
has gpt '^rc=1$' && has gpt "holds partition table gpt" && [ "$(sha256sum <"$T/gpt.img")" = "$before" ] &&
        ok "a partitioned disk is refused and not touched" || fail "gpt: $(show gpt)"

# No such partition: a clear message after the wait.
run missing "pullboot.store=PARTLABEL=pullboot-no-such-$$"
has missing '^rc=1$' && has missing "pullboot.store=PARTLABEL=pullboot-no-such-$$: no such partition" &&
        ok "a missing partition fails with its name" || fail "missing: $(show missing)"

echo "$FAILED failed"
[ "$FAILED" = 0 ]
