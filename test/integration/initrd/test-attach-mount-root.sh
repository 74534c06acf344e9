#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# `pullboot attach` and `pullboot mount-root` with real loop devices: a DDI built here (GPT by
# sfdisk, ext4 by mkfs.ext4 -d) with several root candidates, the no-auto flag, an "_empty" slot
# and a usr partition; by-loop-ref links; root= in all its forms; bind roots from a tar.
# Needs root and loop devices; exits 77 (skip) otherwise. Cleans up on every exit path.
set -u

PULLBOOT=${1:?usage: $0 PATH-TO-pullboot}

skip() { echo "SKIP: $*" >&2; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root (loop devices, mounts)"
[ -c /dev/loop-control ] || skip "no /dev/loop-control (loop module not loaded)"
for t in sfdisk mkfs.ext4 tar losetup findmnt blkid; do
        command -v "$t" >/dev/null || skip "$t is not installed"
done

T=$(mktemp -d /tmp/pullboot-attach.XXXXXX)
REF_A=rootdisk
REF_B=pbtest-b-$$
REF_C=pbtest-c-$$
FAILS=0

cleanup() {
        # Mounts first (deepest first), then the loop devices backed by our images, then links.
        findmnt -rn -o TARGET | grep "^$T" | sort -r | while read -r m; do umount -l "$m"; done
        for img in "$T"/*.raw; do
                [ -e "$img" ] || continue
                losetup -j "$img" -n -O NAME 2>/dev/null | while read -r d; do losetup -d "$d"; done
        done
        # Our links: those of the unique test refs, and the rootdisk ones that name our device.
        rm -f /dev/disk/by-loop-ref/"$REF_B" /dev/disk/by-loop-ref/"$REF_B"-part* \
              /dev/disk/by-loop-ref/"$REF_C".raw /dev/disk/by-loop-ref/"$REF_C".raw-part*
        if [ -n "${N:-}" ]; then
                for l in /dev/disk/by-loop-ref/"$REF_A" /dev/disk/by-loop-ref/"$REF_A"-part*; do
                        case "$(readlink "$l" 2>/dev/null)" in
                        ../../loop"$N"|../../loop"$N"p*) rm -f "$l" ;;
                        esac
                done
        fi
        rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail() { echo "FAIL: $*" >&2; FAILS=$((FAILS + 1)); }
check() { # check DESCRIPTION COMMAND...
        local what=$1; shift
        if "$@"; then echo "ok: $what"; else fail "$what"; fi
}
check_not() { # check_not DESCRIPTION COMMAND...: the command must fail
        local what=$1; shift
        if "$@"; then fail "$what"; else echo "ok: $what"; fi
}
expect_eq() { # expect_eq DESCRIPTION GOT WANT
        if [ "$2" = "$3" ]; then echo "ok: $1"; else fail "$1: got '$2', want '$3'"; fi
}

ROOT_TYPE=4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709
USR_TYPE=8484680C-9521-48C6-9C11-B0720656F69E
[ "$(uname -m)" = x86_64 ] || skip "the test image uses x86-64 DPS types"

# mkfs_into IMAGE START_SECTOR LABEL MARKER: a 2 MiB ext4 with /marker and /usr, written at START.
mkfs_into() {
        local img=$1 start=$2 label=$3 marker=$4 tree
        tree=$(mktemp -d "$T/tree.XXXXXX")
        echo "$marker" > "$tree/marker"
        mkdir "$tree/usr"
        truncate -s 2M "$T/fs.img"
        mkfs.ext4 -q -F -L "$label" -d "$tree" "$T/fs.img" || return 1
        dd if="$T/fs.img" of="$img" bs=512 seek="$start" conv=notrunc status=none || return 1
        rm -rf "$tree" "$T/fs.img"
}

# Image A: 1: _empty slot, 2: root-1.9, 3: root-1.10 (the newest eligible), 4: root-2.0 with
# the no-auto flag, 5: usr-1.10 with the read-only flag.
A=$T/a.raw
truncate -s 12M "$A"
sfdisk -q "$A" <<EOF2 || { echo "sfdisk failed" >&2; exit 1; }
label: gpt
start=2048, size=4096, type=$ROOT_TYPE, name="_empty"
start=6144, size=4096, type=$ROOT_TYPE, name="root-1.9"
start=10240, size=4096, type=$ROOT_TYPE, name="root-1.10"
start=14336, size=4096, type=$ROOT_TYPE, name="root-2.0", attrs="GUID:63"
start=18432, size=4096, type=$USR_TYPE, name="usr-1.10", attrs="GUID:60"
EOF2
mkfs_into "$A" 2048 fs-empty "empty" &&
mkfs_into "$A" 6144 fs-19 "1.9" &&
mkfs_into "$A" 10240 fs-110 "1.10" &&
mkfs_into "$A" 14336 fs-20 "2.0" &&
mkfs_into "$A" 18432 fs-usr "usr-1.10" || { echo "building image A failed" >&2; exit 1; }

# gpt-auto takes the one loop device called "rootdisk"; another one (not ours) would be found.
if "$PULLBOOT" mount-root --cmdline root=gpt-auto --dry-run --timeout 1 >/dev/null 2>&1; then
        skip "another loop device already carries the reference rootdisk"
fi

# --- attach
DEV=$("$PULLBOOT" attach --ref "$REF_A" "$A")
check "attach exits 0" [ $? = 0 ]
expect_eq "attach prints a loop device ($DEV)" "$(echo "$DEV" | grep -cE '^/dev/loop[0-9]+$')" "1"
N=${DEV#/dev/loop}
for p in 1 2 3 4 5; do
        check "partition node ${DEV}p$p" [ -b "${DEV}p$p" ]
        expect_eq "link $REF_A-part$p" "$(readlink /dev/disk/by-loop-ref/$REF_A-part$p)" "../../loop${N}p$p"
done
expect_eq "link $REF_A" "$(readlink /dev/disk/by-loop-ref/$REF_A)" "../../loop$N"
expect_eq "backing file" "$(losetup -n -O BACK-FILE "$DEV")" "$A"
expect_eq "autoclear off after the verb exits" "$(losetup -n -O AUTOCLEAR "$DEV" | tr -d ' ')" "0"
expect_eq "partition scanning on" "$(cat /sys/block/loop$N/loop/partscan)" "1"
expect_eq "writable" "$(cat /sys/block/loop$N/ro)" "0"
expect_eq "partition 3 size" "$(blockdev --getsize64 "${DEV}p3")" "2097152"
expect_eq "partition 3 content" "$(blkid -o value -s LABEL "${DEV}p3")" "fs-110"

# --- gpt-auto: newest eligible root by label, usr partition on /usr, read-only by default
OUT=$("$PULLBOOT" mount-root --cmdline "quiet root=gpt-auto" --where "$T/sysroot" 2>"$T/err")
check "mount-root gpt-auto exits 0 ($(cat "$T/err"))" [ $? = 0 ]
expect_eq "gpt-auto output" "$OUT" "${DEV}p3 $T/sysroot ext4 ro
${DEV}p5 $T/sysroot/usr ext4 ro"
expect_eq "gpt-auto picked root-1.10" "$(cat "$T/sysroot/marker")" "1.10"
expect_eq "usr partition mounted" "$(cat "$T/sysroot/usr/marker")" "usr-1.10"
expect_eq "root mount source" "$(findmnt -n -o SOURCE "$T/sysroot")" "${DEV}p3"
check "root mounted read-only" findmnt -n -O ro "$T/sysroot" >/dev/null
check "usr mounted read-only" findmnt -n -O ro "$T/sysroot/usr" >/dev/null
check_not "root not writable" touch "$T/sysroot/x" 2>/dev/null
umount "$T/sysroot/usr" "$T/sysroot"

# --- the same with rw, rootflags and rootfstype
OUT=$("$PULLBOOT" mount-root --cmdline "root=gpt-auto rootfstype=ext4 rootflags=noatime,errors=remount-ro rw" \
        --where "$T/sysroot" 2>"$T/err")
check "mount-root rw exits 0 ($(cat "$T/err"))" [ $? = 0 ]
check "rw root writable" touch "$T/sysroot/written"
expect_eq "usr stays read-only (DPS flag 60)" "$(echo "$OUT" | sed -n 2p)" "${DEV}p5 $T/sysroot/usr ext4 ro"
check "usr mounted read-only despite rw" findmnt -n -O ro "$T/sysroot/usr" >/dev/null
check "rootflags noatime applied" findmnt -n -O noatime "$T/sysroot" >/dev/null
check "rootflags errors= passed to ext4" findmnt -n -O errors=remount-ro "$T/sysroot" >/dev/null
umount "$T/sysroot/usr" "$T/sysroot"
"$PULLBOOT" mount-root --cmdline "root=gpt-auto rootfstype=xfs" --where "$T/sysroot" --dry-run >/dev/null 2>&1
check_not "dry run does not mount" findmnt "$T/sysroot" >/dev/null
"$PULLBOOT" mount-root --cmdline "root=gpt-auto rootfstype=vfat" --where "$T/sysroot" >/dev/null 2>"$T/err"
expect_eq "wrong rootfstype fails with 1" "$?" "1"
check "wrong rootfstype error names the device" grep -q "${DEV}p3" "$T/err"

# --- device paths, by-loop-ref, tags
mr() { # mr CMDLINE: dry-run, prints the root device
        "$PULLBOOT" mount-root --cmdline "$1" --where "$T/sysroot" --dry-run --timeout 2000 2>>"$T/err" | head -n1 | cut -d' ' -f1
}
expect_eq "root=/dev/disk/by-loop-ref/$REF_A-part4" "$(mr "root=/dev/disk/by-loop-ref/$REF_A-part4")" "${DEV}p4"
expect_eq "root=${DEV}p2" "$(mr "root=${DEV}p2")" "${DEV}p2"
PARTUUID2=$(sfdisk --part-uuid "$A" 2)
expect_eq "root=PARTUUID= (as sfdisk prints it)" "$(mr "root=PARTUUID=$PARTUUID2")" "${DEV}p2"
expect_eq "root=PARTUUID= (lowercase)" "$(mr "root=PARTUUID=${PARTUUID2,,}")" "${DEV}p2"
expect_eq "root=UUID=" "$(mr "root=UUID=$(blkid -o value -s UUID "${DEV}p4")")" "${DEV}p4"
expect_eq "root=LABEL=" "$(mr "root=LABEL=fs-19")" "${DEV}p2"
expect_eq "root=PARTLABEL=" "$(mr "root=PARTLABEL=root-2.0")" "${DEV}p4"

# Without the links (no udev, someone removed them): found through lo_file_name.
rm -f /dev/disk/by-loop-ref/$REF_A-part2 /dev/disk/by-loop-ref/$REF_A
expect_eq "by-loop-ref without links" "$(mr "root=/dev/disk/by-loop-ref/$REF_A-part2")" "${DEV}p2"
expect_eq "by-loop-ref whole disk without links" "$(mr "root=/dev/disk/by-loop-ref/$REF_A rootfstype=ext4")" "$DEV"

# A real mount by by-loop-ref, read-write: the no-auto partition is still usable by name.
OUT=$("$PULLBOOT" mount-root --cmdline "root=/dev/disk/by-loop-ref/$REF_A-part4 rw" --where "$T/sysroot" 2>"$T/err")
check "mount by-loop-ref exits 0 ($(cat "$T/err"))" [ $? = 0 ]
expect_eq "by-loop-ref mounted partition 4" "$(cat "$T/sysroot/marker")" "2.0"
check "rw mount" findmnt -n -O rw "$T/sysroot" >/dev/null
umount "$T/sysroot"

"$PULLBOOT" mount-root --cmdline "root=LABEL=no-such-label-$$" --where "$T/sysroot" --timeout 300 >/dev/null 2>"$T/err"
expect_eq "missing device fails with 1" "$?" "1"
check "missing device error says so" grep -q "no such device appeared" "$T/err"

# --- image B, read-only attach: only excluded roots (the _empty slot and a no-auto one)
B=$T/b.raw
truncate -s 8M "$B"
sfdisk -q "$B" <<EOF2
label: gpt
start=2048, size=4096, type=$ROOT_TYPE, name="_empty"
start=6144, size=4096, type=$ROOT_TYPE, name="root-9", attrs="GUID:63"
EOF2
mkfs_into "$B" 2048 b-empty "b-empty" && mkfs_into "$B" 6144 b-9 "b-9"
DEVB=$("$PULLBOOT" attach --ro --ref "$REF_B" "$B")
check "attach --ro exits 0" [ $? = 0 ]
expect_eq "read-only loop device" "$(cat /sys/block/${DEVB#/dev/}/ro)" "1"
"$PULLBOOT" mount-root --cmdline "root=gpt-auto" --disk "$DEVB" --where "$T/sysroot" >/dev/null 2>"$T/err"
expect_eq "gpt-auto without eligible root fails with 1" "$?" "1"
check "gpt-auto error explains" grep -q "no usable root partition" "$T/err"
# rw asked on a read-only device: mounted read-only, as mount(8) does.
OUT=$("$PULLBOOT" mount-root --cmdline "root=/dev/disk/by-loop-ref/$REF_B-part2 rw" --where "$T/sysroot" 2>"$T/err")
check "rw on read-only device exits 0 ($(cat "$T/err"))" [ $? = 0 ]
expect_eq "falls back to ro" "$OUT" "${DEVB}p2 $T/sysroot ext4 ro"
umount "$T/sysroot"

# --- image C: the default reference is the file name, as systemd-dissect --loop-ref-auto
C=$T/$REF_C.raw
cp "$B" "$C"
DEVC=$("$PULLBOOT" attach "$C")
check "attach with default ref exits 0" [ $? = 0 ]
expect_eq "default ref is the file name" "$(readlink /dev/disk/by-loop-ref/$REF_C.raw-part2)" "../../${DEVC#/dev/}p2"
# A second attach of an image with partitions the kernel already knows is harmless.
check "partitions of C present" [ -b "${DEVC}p1" -a -b "${DEVC}p2" ]

# --- a disk attached by someone else (losetup -P): on a kernel without a GPT parser its
# partitions are missing, and gpt-auto adds them itself; where the kernel scanned them, that is
# a no-op.
D=$T/d.raw
cp "$A" "$D"
DEVD=$(losetup -f --show -P "$D")
check "losetup attached image D" [ -b "$DEVD" ]
OUT=$("$PULLBOOT" mount-root --cmdline "root=gpt-auto" --disk "$DEVD" --where "$T/sysroot" 2>"$T/err")
check "gpt-auto on a losetup device exits 0 ($(cat "$T/err"))" [ $? = 0 ]
expect_eq "gpt-auto on a losetup device" "$(echo "$OUT" | head -n1)" "${DEVD}p3 $T/sysroot ext4 ro"
expect_eq "its root content" "$(cat "$T/sysroot/marker")" "1.10"
umount "$T/sysroot/usr" "$T/sysroot"

# --- bind roots from a tar
mkdir -p "$T/tree-src/etc" "$T/tree-src/usr/bin"
echo tar-root > "$T/tree-src/etc/marker"
tar -C "$T/tree-src" -cf "$T/root.tar" .
mkdir "$T/tarroot"
tar -C "$T/tarroot" -xf "$T/root.tar"
OUT=$("$PULLBOOT" mount-root --cmdline "root=bind:$T/tarroot" --where "$T/sysroot" 2>"$T/err")
check "bind root exits 0 ($(cat "$T/err"))" [ $? = 0 ]
expect_eq "bind output" "$OUT" "$T/tarroot $T/sysroot bind ro"
expect_eq "bind root content" "$(cat "$T/sysroot/etc/marker")" "tar-root"
check_not "bind root read-only" touch "$T/sysroot/x" 2>/dev/null
umount "$T/sysroot"
OUT=$("$PULLBOOT" mount-root --cmdline "root=bind:$T/tarroot rw" --where "$T/sysroot" 2>"$T/err")
check "bind root rw" touch "$T/sysroot/etc/new"
check "bind root writes reach the source" [ -e "$T/tarroot/etc/new" ]
umount "$T/sysroot"
"$PULLBOOT" mount-root --cmdline "root=bind:$T/no-such-dir" --where "$T/sysroot" >/dev/null 2>&1
expect_eq "bind of a missing dir fails with 1" "$?" "1"

# --- tmpfs and usage errors
OUT=$("$PULLBOOT" mount-root --cmdline "root=tmpfs" --where "$T/sysroot" 2>"$T/err")
expect_eq "tmpfs root" "$OUT" "tmpfs $T/sysroot tmpfs rw"
expect_eq "tmpfs fstype" "$(findmnt -n -o FSTYPE "$T/sysroot")" "tmpfs"
umount "$T/sysroot"
echo "root=gpt-auto" > "$T/cmdline"
expect_eq "--cmdline @FILE" "$("$PULLBOOT" mount-root --cmdline "@$T/cmdline" --where "$T/sysroot" --dry-run 2>/dev/null | head -n1)" \
        "${DEV}p3 $T/sysroot ext4 ro"
"$PULLBOOT" mount-root --cmdline "quiet" --where "$T/sysroot" >/dev/null 2>&1
expect_eq "no root= is a usage error" "$?" "2"
"$PULLBOOT" mount-root --cmdline "root=sda1" >/dev/null 2>&1
expect_eq "bad root= is a usage error" "$?" "2"
"$PULLBOOT" attach --ref "a/b" "$A" >/dev/null 2>&1
expect_eq "bad --ref is a usage error" "$?" "2"
"$PULLBOOT" attach "$T/no-such.raw" >/dev/null 2>&1
expect_eq "missing image fails with 1" "$?" "1"
"$PULLBOOT" attach >/dev/null 2>&1
expect_eq "attach without a file is a usage error" "$?" "2"
for t in 0 +5 -1 ' 5' 5ms 3600001; do
        "$PULLBOOT" attach --timeout "$t" "$A" >/dev/null 2>"$T/err"
        expect_eq "attach --timeout '$t' is a usage error" "$?" "2"
        "$PULLBOOT" mount-root --cmdline root=tmpfs --dry-run --timeout "$t" >/dev/null 2>&1
        expect_eq "mount-root --timeout '$t' is a usage error" "$?" "2"
done
expect_eq "--timeout error names the range" "$(cat "$T/err")" \
        "pullboot: invalid --timeout '3600001': expected milliseconds, 1..3600000"
"$PULLBOOT" mount-root --cmdline "@$T/no-such-cmdline" --dry-run >/dev/null 2>"$T/err"
expect_eq "unreadable --cmdline @FILE is a usage error" "$?" "2"
expect_eq "unreadable --cmdline @FILE names the file" "$(cat "$T/err")" \
        "pullboot: cannot read the kernel command line from $T/no-such-cmdline: No such file or directory"

if [ "$FAILS" -gt 0 ]; then
        echo "$FAILS check(s) failed" >&2
        exit 1
fi
echo "all checks passed"
