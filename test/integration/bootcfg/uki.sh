#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# pullboot-bootcfg's UKI actions on a real partitioned disk: a GPT image on a loop device with two
# FAT partitions (node added with partx, as this host's kernel parses no partition tables), files
# put in with mtools, the file systems mounted (vfat, or fusefat -o blkdev where the kernel has no
# vfat), and entries written into a copy of OVMF_VARS_4M.fd. The device path text is compared
# with what edk2's DevicePathToText prints for the known partition. --boot-ok and the BootCurrent
# refusal run on a fake efivarfs directory ($EFIVARFS_PATH).
set -u

BOOTCFG=${1:?usage: uki.sh PULLBOOT-BOOTCFG}
OVMF_VARS=/usr/share/OVMF/OVMF_VARS_4M.fd
GLOBAL=8be4df61-93ca-11d2-aa0d-00e098032b8c
ESP_UUID=6b1a4c0e-2f1d-4b8e-9d0b-2a7c5e4f3d21
DATA_UUID=0f5e2d1c-3b4a-4c5d-8e6f-7a8b9c0d1e2f

skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root (loop devices, partx, mount)"
for t in losetup partx sfdisk mkfs.vfat mmd mcopy cmp; do
        command -v "$t" >/dev/null || skip "$t not installed"
done
[ -r "$OVMF_VARS" ] || skip "$OVMF_VARS missing (Debian package ovmf)"

T=$(mktemp -d)
LOOP=
LOOPS=()
MOUNTS=()
cleanup() {
        local m i l
        # Innermost (bind) mounts first.
        for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do
                m=${MOUNTS[i]}
                umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null
        done
        for l in "${LOOPS[@]}"; do
                # A FUSE daemon may hold the partition for a moment after umount.
                for _ in $(seq 1 20); do partx -d "$l" 2>/dev/null && break; sleep 0.1; done
                losetup -d "$l" 2>/dev/null
        done
        rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

. "$(dirname "$0")/checks.sh"
# UCS-2LE hex of an ASCII string with its NUL, as the optional data holds it.
ucs2hex() {
        local s=$1 i out=
        for ((i = 0; i < ${#s}; i++)); do out+=$(printf '%02x00' "'${s:i:1}"); done
        printf '%s0000' "$out"
}
# Fields of one entry in `--show -v`: number<TAB>device path<TAB>optional data hex.
entry() { # entry VARS TITLE
        "$BOOTCFG" --vars "$1" --show -v | awk -F'\t' -v t="$2" '
                { split($1, h, " "); n = substr(h[1], 5, 4); title = substr($1, length(h[1]) + 2) }
                title == t { d = $3; sub(/^data:/, "", d); print n "\t" $2 "\t" d }'
}
order() { "$BOOTCFG" --vars "$1" --show | sed -n 's/^BootOrder: //p'; }
next_entry() { "$BOOTCFG" --vars "$1" --show | sed -n 's/^BootNext: //p'; }
n_entries() { "$BOOTCFG" --vars "$1" --show | grep -c '^Boot[0-9A-F]\{4\}'; }

# --- the disk: ESP at 1 MiB (30 MiB), a second FAT partition after it --------------------------
IMG=$T/disk.img
truncate -s 64M "$IMG"
printf 'label: gpt\nstart=2048, size=61440, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, uuid=%s, name="ESP"\nstart=63488, size=63488, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, uuid=%s, name="data"\n' \
        "$ESP_UUID" "$DATA_UUID" | sfdisk -q "$IMG" >/dev/null || { echo "FAIL: sfdisk"; exit 1; }
LOOP=$(losetup -f --show "$IMG") || skip "no loop device available"
LOOPS+=("$LOOP")
partx -a "$LOOP" 2>/dev/null || partx -u "$LOOP" || { echo "FAIL: partx -a $LOOP"; exit 1; }
for i in $(seq 1 50); do [ -b "${LOOP}p2" ] && break; sleep 0.1; done
[ -b "${LOOP}p1" ] && [ -b "${LOOP}p2" ] || { echo "FAIL: no ${LOOP}p1/p2 after partx -a"; exit 1; }
for p in 1 2; do
        mkfs.vfat "${LOOP}p$p" >/dev/null || { echo "FAIL: mkfs.vfat ${LOOP}p$p"; exit 1; }
done
EFI_SRC=$(ls /usr/lib/shim/*.efi* /usr/share/OVMF/*.efi 2>/dev/null | head -n 1)
[ -n "$EFI_SRC" ] || EFI_SRC=/etc/os-release  # any bytes do: nothing here runs the file
export MTOOLS_SKIP_CHECK=1
{ mmd -i "${LOOP}p1" ::/EFI ::/EFI/Linux ::/EFI/debian &&
        mcopy -i "${LOOP}p1" "$EFI_SRC" ::/EFI/Linux/test.efi &&
        mcopy -i "${LOOP}p1" "$EFI_SRC" ::/EFI/Linux/other.efi &&
        mcopy -i "${LOOP}p1" "$EFI_SRC" ::/EFI/debian/shimx64.efi &&
        mmd -i "${LOOP}p2" ::/EFI &&
        mcopy -i "${LOOP}p2" "$EFI_SRC" ::/EFI/shim.efi; } 2>"$T/mtools.log" ||
        { echo "FAIL: mtools: $(cat "$T/mtools.log")"; exit 1; }

mount_fat() { # mount_fat DEV DIR: the kernel's vfat, else FUSE on the block device
        mkdir -p "$2"
        if mount -t vfat -o ro "$1" "$2" 2>/dev/null; then
                MOUNTS+=("$2")
                return 0
        fi
        command -v fusefat >/dev/null || skip "the kernel has no vfat and fusefat is not installed"
        fusefat -o ro,blkdev,fsname="$1" "$1" "$2" >/dev/null 2>&1 || skip "neither vfat nor fusefat can mount $1"
        MOUNTS+=("$2")
        echo "note: $1 mounted with fusefat (this kernel has no vfat)"
}
mount_fat "${LOOP}p1" "$T/esp"
mount_fat "${LOOP}p2" "$T/data"
[ -f "$T/esp/EFI/Linux/test.efi" ] || { echo "FAIL: $T/esp/EFI/Linux/test.efi not visible"; exit 1; }

V=$T/vars.fd
cp "$OVMF_VARS" "$V"
UKI=$T/esp/EFI/Linux/test.efi
ESP_HD="HD(1,GPT,${ESP_UUID^^},0x800,0xF000)"
CMDLINE='console=ttyS0 x=1'

# --- --add-uki ----------------------------------------------------------------------------------
expect_rc 2 "--add-uki without --title" "$BOOTCFG" --vars "$V" --add-uki "$UKI"
expect_rc 2 "--cmdline without --add-uki" "$BOOTCFG" --vars "$V" --remove-uki "$UKI" --cmdline x
expect_rc 2 "two actions" "$BOOTCFG" --vars "$V" --add-uki "$UKI" --title t --remove-uki "$UKI"
expect_rc 0 "--add-uki" "$BOOTCFG" --vars "$V" --add-uki "$UKI" --title t --boot-order 0 --cmdline "$CMDLINE"
IFS=$'\t' read -r NUM DP DATA < <(entry "$V" t)
check "entry created" [ -n "${NUM:-}" ]
check "device path is '$ESP_HD/\\EFI\\Linux\\test.efi' (got '${DP:-}')" [ "${DP:-}" = "$ESP_HD/\\EFI\\Linux\\test.efi" ]
check "optional data is the UCS-2 command line (got '${DATA:-}')" [ "${DATA:-}" = "$(ucs2hex "$CMDLINE")" ]
check "BootOrder starts with Boot$NUM ($(order "$V"))" [ "$(order "$V" | cut -d, -f1)" = "$NUM" ]
"$BOOTCFG" --vars "$V" --show --json >"$T/json"
check "JSON: device path, active, attributes" grep -q "\"number\":\"$NUM\",\"valid\":true,\"active\":true,\"attributes\":1,\"title\":\"t\",\"device_path\":\"HD(1,GPT,${ESP_UUID^^},0x800,0xF000)/\\\\\\\\EFI\\\\\\\\Linux\\\\\\\\test.efi\"" "$T/json"
N0=$(n_entries "$V")

# Again: the same entry is reused.
cp "$V" "$T/before-reuse.fd"
expect_rc 0 "--add-uki again" "$BOOTCFG" --vars "$V" --add-uki "$UKI" --title t --boot-order 0 --cmdline "$CMDLINE"
check "reuse says 'Entry exists (Boot$NUM)'" grep -q "Entry exists (Boot$NUM)" "$T/err"
check "reuse adds no entry" [ "$(n_entries "$V")" = "$N0" ]
check "reuse leaves the file byte-identical" cmp -s "$V" "$T/before-reuse.fd"

# --dry-run writes nothing.
expect_rc 0 "--update-uki --once --dry-run" "$BOOTCFG" --vars "$V" --update-uki "$UKI" --once --dry-run
check "dry run prints BootNext" grep -q "^BootNext: $NUM\$" "$T/out"
check "dry run leaves the file byte-identical" cmp -s "$V" "$T/before-reuse.fd"

# --update-uki --once: BootNext.
expect_rc 0 "--update-uki --once" "$BOOTCFG" --vars "$V" --update-uki "$UKI" --once
check "BootNext is Boot$NUM" [ "$(next_entry "$V")" = "$NUM" ]
expect_rc 0 "--update-uki --boot-order last" "$BOOTCFG" --vars "$V" --update-uki "$UKI" --boot-order last
check "Boot$NUM is last in BootOrder ($(order "$V"))" [ "$(order "$V" | awk -F, '{print $NF}')" = "$NUM" ]
expect_rc 3 "--update-uki of a file without entry" "$BOOTCFG" --vars "$V" --update-uki "$T/esp/EFI/Linux/other.efi" --once
check "--update-uki without entry says so" grep -q 'No boot entry' "$T/err"

# --- --remove-uki ---------------------------------------------------------------------------------
expect_rc 0 "--remove-uki" "$BOOTCFG" --vars "$V" --remove-uki "$UKI"
check "entry removed" [ -z "$(entry "$V" t)" ]
check "BootOrder cleaned ($(order "$V"))" sh -c "! '$BOOTCFG' --vars '$V' --show | grep '^BootOrder:' | grep -q '$NUM'"
check "BootNext cleaned" [ -z "$(next_entry "$V")" ]
check "one entry fewer" [ "$(n_entries "$V")" = $((N0 - 1)) ]
cp "$V" "$T/before-noentry.fd"
expect_rc 0 "--remove-uki without entry" "$BOOTCFG" --vars "$V" --remove-uki "$UKI"
check "--remove-uki without entry warns" grep -q 'nothing to remove' "$T/err"
check "--remove-uki without entry writes nothing" cmp -s "$V" "$T/before-noentry.fd"

# --- bad files: exit 2, the store untouched ----------------------------------------------------
cp "$V" "$T/before-bad.fd"
expect_rc 2 "--add-uki of a file not on FAT" "$BOOTCFG" --vars "$V" --add-uki /etc/hostname --title t
check "not-FAT error says so" grep -q 'is not on a FAT file system; the firmware loads files only from the ESP' "$T/err"
expect_rc 2 "--add-uki of a missing file" "$BOOTCFG" --vars "$V" --add-uki "$T/esp/EFI/Linux/none.efi" --title t
expect_rc 2 "--shim on another file system" "$BOOTCFG" --vars "$V" --add-uki "$UKI" --title t --shim "$T/data/EFI/shim.efi"
check "--shim on another fs: error says so" grep -q 'shim and UKI are on different file systems' "$T/err"
check "bad files left the store byte-identical" cmp -s "$V" "$T/before-bad.fd"

# --- a file on partition 2 ------------------------------------------------------------------------
expect_rc 0 "--add-uki on partition 2" "$BOOTCFG" --vars "$V" --add-uki "$T/data/EFI/shim.efi" --title p2
IFS=$'\t' read -r NUM2 DP2 DATA2 < <(entry "$V" p2)
check "partition 2 device path (got '${DP2:-}')" \
        [ "${DP2:-}" = "HD(2,GPT,${DATA_UUID^^},0xF800,0xF800)/\\EFI\\shim.efi" ]
check "no optional data without --cmdline" [ -z "${DATA2:-}" ]
check "no --boot-order: BootOrder untouched by the new entry" sh -c "! '$BOOTCFG' --vars '$V' --show | grep '^BootOrder:' | grep -q '$NUM2'"

# --- --shim ----------------------------------------------------------------------------------------
SHIM=$T/esp/EFI/debian/shimx64.efi
expect_rc 0 "--add-uki --shim" "$BOOTCFG" --vars "$V" --add-uki "$UKI" --title shimmed --shim "$SHIM" --cmdline "$CMDLINE"
IFS=$'\t' read -r NUM3 DP3 DATA3 < <(entry "$V" shimmed)
check "shim entry points at shim (got '${DP3:-}')" [ "${DP3:-}" = "$ESP_HD/\\EFI\\debian\\shimx64.efi" ]
check "shim entry optional data is the UKI path and the command line" \
        [ "${DATA3:-}" = "$(ucs2hex "\\EFI\\Linux\\test.efi $CMDLINE")" ]
expect_rc 0 "--add-uki --shim again" "$BOOTCFG" --vars "$V" --add-uki "$UKI" --title shimmed --shim "$SHIM" --cmdline "$CMDLINE"
check "shim entry reused" grep -q "Entry exists (Boot$NUM3)" "$T/err"
expect_rc 0 "--add-uki --shim for another UKI" "$BOOTCFG" --vars "$V" --add-uki "$T/esp/EFI/Linux/other.efi" --title other --shim "$SHIM"
IFS=$'\t' read -r NUM4 _ _ < <(entry "$V" other)
check "another UKI through the same shim gets its own entry" [ -n "${NUM4:-}" -a "${NUM4:-}" != "${NUM3:-}" ]
expect_rc 0 "--update-uki finds the shim entry" "$BOOTCFG" --vars "$V" --update-uki "$UKI" --once
check "BootNext is the shim entry" [ "$(next_entry "$V")" = "$NUM3" ]
expect_rc 0 "--remove-uki removes the shim entry" "$BOOTCFG" --vars "$V" --remove-uki "$UKI"
check "shim entry gone, the other UKI's kept" [ -z "$(entry "$V" shimmed)" -a -n "$(entry "$V" other)" ]
check "BootNext cleaned after the shim entry" [ -z "$(next_entry "$V")" ]

# A long command line after the UKI path does not hide the shim entry.
LONG="root=/dev/sda2 $(printf 'x%.0s' $(seq 1 5000))"
expect_rc 0 "--add-uki --shim with a 5000-character command line" "$BOOTCFG" --vars "$V" --add-uki "$UKI" --title long --shim "$SHIM" --cmdline "$LONG"
IFS=$'\t' read -r NUM5 _ _ < <(entry "$V" long)
expect_rc 0 "--update-uki finds the long shim entry" "$BOOTCFG" --vars "$V" --update-uki "$UKI" --once
check "BootNext is the long shim entry" [ -n "${NUM5:-}" -a "$(next_entry "$V")" = "${NUM5:-}" ]
expect_rc 0 "--remove-uki removes the long shim entry" "$BOOTCFG" --vars "$V" --remove-uki "$UKI"
check "long shim entry gone" [ -z "$(entry "$V" long)" ]

# --- a bind mount of a subdirectory: the path is still the one in the file system ----------------
mkdir -p "$T/bind"
if mount --bind "$T/esp/EFI/Linux" "$T/bind"; then
        MOUNTS+=("$T/bind")
        expect_rc 0 "--add-uki through a bind mount" "$BOOTCFG" --vars "$V" --add-uki "$T/bind/test.efi" --title bound --dry-run -v
        check "bind mount: device path names \\EFI\\Linux\\test.efi" \
                grep -qF "bound	$ESP_HD/\EFI\Linux\test.efi" "$T/out"
else
        fail "mount --bind"
fi

# --- an MBR disk: HD(n,MBR,0xSIGNATURE,...) ----------------------------------------------------------
MBR=$T/mbr.img
truncate -s 40M "$MBR"
printf 'label: dos\nlabel-id: 0x1234abcd\nstart=2048, size=79870, type=ef\n' | sfdisk -q "$MBR" >/dev/null ||
        { echo "FAIL: sfdisk (dos)"; exit 1; }
MLOOP=$(losetup -f --show "$MBR") || skip "no second loop device available"
LOOPS+=("$MLOOP")
partx -a "$MLOOP" 2>/dev/null || partx -u "$MLOOP" || { echo "FAIL: partx -a $MLOOP"; exit 1; }
for i in $(seq 1 50); do [ -b "${MLOOP}p1" ] && break; sleep 0.1; done
mkfs.vfat "${MLOOP}p1" >/dev/null && mmd -i "${MLOOP}p1" ::/EFI 2>/dev/null &&
        mcopy -i "${MLOOP}p1" "$EFI_SRC" ::/EFI/mbr.efi 2>/dev/null || { echo "FAIL: MBR ESP"; exit 1; }
mount_fat "${MLOOP}p1" "$T/mbr"
expect_rc 0 "--add-uki on an MBR disk" "$BOOTCFG" --vars "$V" --add-uki "$T/mbr/EFI/mbr.efi" --title mbr
IFS=$'\t' read -r _ DPM _ < <(entry "$V" mbr)
check "MBR device path (got '${DPM:-}')" [ "${DPM:-}" = "HD(1,MBR,0x1234ABCD,0x800,0x137FE)/\\EFI\\mbr.efi" ]

# --- --boot-ok ---------------------------------------------------------------------------------------
expect_rc 2 "--boot-ok with --vars" "$BOOTCFG" --vars "$V" --boot-ok
check "--boot-ok with --vars says why" grep -q 'BootCurrent' "$T/err"

E=$T/efivars
mkdir -p "$E"
printf '\x06\x00\x00\x00\x05\x00' >"$E/BootCurrent-$GLOBAL"
printf '\x07\x00\x00\x00\x01\x00' >"$E/BootOrder-$GLOBAL"
efivar_hex() { od -An -tx1 -v "$E/$1-$GLOBAL" 2>/dev/null | tr -d ' \n'; }
expect_rc 0 "--boot-successful --dry-run" env EFIVARFS_PATH="$E/" "$BOOTCFG" --boot-successful --dry-run
check "dry run shows BootOrder 0005,0001" grep -q '^BootOrder: 0005,0001$' "$T/out"
check "dry run wrote nothing" [ "$(efivar_hex BootOrder)" = 070000000100 ]
expect_rc 0 "--boot-ok" env EFIVARFS_PATH="$E/" "$BOOTCFG" --boot-ok
check "BootCurrent inserted first" [ "$(efivar_hex BootOrder)" = 0700000005000100 ]
expect_rc 0 "--boot-ok again" env EFIVARFS_PATH="$E/" "$BOOTCFG" --boot-ok
check "--boot-ok again: already there" grep -q 'BootCurrent is already in BootOrder' "$T/err"
check "--boot-ok again: unchanged" [ "$(efivar_hex BootOrder)" = 0700000005000100 ]

# --remove-uki of BootCurrent: refused (exit 4) without --force, as --remove-entry.
expect_rc 0 "efivarfs: --add-uki" env EFIVARFS_PATH="$E/" "$BOOTCFG" --add-uki "$UKI" --title t
num=$(EFIVARFS_PATH="$E/" "$BOOTCFG" --show | awk '$2 == "t" { print substr($1, 5, 4) }')
check "efivarfs: entry written" [ -n "$num" -a -e "$E/Boot$num-$GLOBAL" ]
printf '\x06\x00\x00\x00' >"$E/BootCurrent-$GLOBAL"
printf '%04x' $((16#$num)) | sed 's/\(..\)\(..\)/\\x\2\\x\1/' | xargs -0 printf >>"$E/BootCurrent-$GLOBAL"
expect_rc 4 "efivarfs: --remove-uki of BootCurrent" env EFIVARFS_PATH="$E/" "$BOOTCFG" --remove-uki "$UKI"
check "efivarfs: BootCurrent entry kept" [ -e "$E/Boot$num-$GLOBAL" ]
expect_rc 0 "efivarfs: --remove-uki --force" env EFIVARFS_PATH="$E/" "$BOOTCFG" --remove-uki "$UKI" --force
check "efivarfs: entry deleted" [ ! -e "$E/Boot$num-$GLOBAL" ]

# --cmdline under Secure Boot: written, with a warning that the stub will ignore it.
printf '\x06\x00\x00\x00\x01' >"$E/SecureBoot-$GLOBAL"
expect_rc 0 "efivarfs: --cmdline with SecureBoot on" env EFIVARFS_PATH="$E/" "$BOOTCFG" --add-uki "$UKI" --title sb --cmdline x --dry-run
check "SecureBoot on: warning about the command line" grep -q 'Secure Boot is on' "$T/err"
printf '\x06\x00\x00\x00\x00' >"$E/SecureBoot-$GLOBAL"
expect_rc 0 "efivarfs: --cmdline with SecureBoot off" env EFIVARFS_PATH="$E/" "$BOOTCFG" --add-uki "$UKI" --title sb --cmdline x --dry-run
check "SecureBoot off: no warning" sh -c "! grep -q 'Secure Boot' '$T/err'"

checks_summary
