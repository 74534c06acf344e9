# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash
#
# Shared helpers of the stub's e2e tests: skip checks, the test initrd, UKI assembly with objcopy,
# ESP disk images, boot entries written into VARS files, and running the guest with pullboot-vm
# (PULLBOOT_VM, set by meson with VSTOOL). Sourced by test-*.sh, which set STUB (path of
# pullbootx64.efi.stub) from their first argument.

set -euo pipefail

LOADER_GUID=4a67b082-0a4c-41cf-b6c7-440b29bb8c4f
PULLBOOT_GUID=c9401eab-f608-4319-bb31-27984b190c66
EFI_GLOBAL_GUID=8be4df61-93ca-11d2-aa0d-00e098032b8c
GUEST_MAC=52:54:00:12:34:56
# Where pullboot-vm takes the firmware from (checked here only to skip with a reason).
OVMF_DIR=/usr/share/OVMF
QEMU_TIMEOUT=${QEMU_TIMEOUT:-150}

skip() {
        echo "SKIP: $*"
        exit 77
}

fail() {
        echo "FAIL: $*" >&2
        exit 1
}

need_tools() {
        local t
        for t in "$@"; do
                command -v "$t" >/dev/null 2>&1 || skip "$t not installed"
        done
}

# Debian's kernel for guests (not the host's running one) and its module directory.
find_kernel() {
        local k
        KERNEL=
        for k in /boot/vmlinuz-*-amd64; do
                [ -r "$k" ] && KERNEL=$k
        done
        [ -n "$KERNEL" ] || skip "no Debian guest kernel /boot/vmlinuz-*-amd64 (install linux-image-amd64)"
        KVER=${KERNEL#/boot/vmlinuz-}
        [ -d "/lib/modules/$KVER" ] || skip "no /lib/modules/$KVER for $KERNEL"
}

setup_workdir() {
        WORK=$(mktemp -d "${TMPDIR:-/tmp}/pullboot-stub-e2e.XXXXXX")
        trap cleanup EXIT
        trap 'exit 130' INT TERM
}

# pullboot-vm stops and reaps QEMU itself (also when it is signalled); only files are left here.
cleanup() {
        local rc=$?
        if [ $rc -ne 0 ] && [ $rc -ne 77 ] && [ -n "${WORK:-}" ] && [ -f "$WORK/console.log" ]; then
                echo "---- guest console and pullboot-vm events (last 60 lines) ----" >&2
                tail -n 60 "$WORK/console.log" >&2 || true
        fi
        [ -n "${KEEP_WORK:-}" ] || rm -rf "${WORK:-/nonexistent}"
        exit $rc
}

# A tiny initrd: busybox-static and an /init that mounts efivarfs, prints every variable the stub
# writes as "PBVAR <name> <attributes> <value>" (UTF-16 strings narrowed, StubFeatures as hex,
# the NIC record line by line) and powers off.
build_initrd() {
        local root=$WORK/initrd-root
        local busybox=${BUSYBOX:-/bin/busybox}
        [ -x "$busybox" ] && "$busybox" --list 2>/dev/null | grep -x cpio >/dev/null || skip "busybox-static not installed"
        need_tools cpio
        local mod=/lib/modules/$KVER/kernel/fs/efivarfs/efivarfs.ko
        mkdir -p "$root"/{bin,dev,proc,sys,mod}
        cp "$busybox" "$root/bin/busybox"
        # efivarfs is a module in Debian's kernel; the guest kernel is signed by Debian and loads
        # Debian-signed modules even under lockdown.
        if [ -f "$mod" ]; then
                cp "$mod" "$root/mod/"
        elif [ -f "$mod.xz" ]; then
                xz -dc "$mod.xz" >"$root/mod/efivarfs.ko"
        elif ! grep -qx 'CONFIG_EFIVAR_FS=y' "/boot/config-$KVER" 2>/dev/null; then
                skip "efivarfs is neither built in nor a module of $KVER"
        fi
        cat >"$root/init" <<EOF
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
# Report on the serial port even when the kernel got no console= (load options ignored).
[ -c /dev/ttyS0 ] && exec >/dev/ttyS0 2>&1
[ -f /mod/efivarfs.ko ] && insmod /mod/efivarfs.ko
mount -t efivarfs efivarfs /sys/firmware/efi/efivars || echo "PBVAR-ERROR cannot mount efivarfs"
V=/sys/firmware/efi/efivars
echo "PBVAR-BEGIN"
echo "PBVAR cmdline \$(cat /proc/cmdline)"
f=\$V/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c
[ -f "\$f" ] && echo "PBVAR SecureBoot \$(tail -c +5 "\$f" | od -An -tx1 | tr -d ' ')"
for n in StubDeviceURL LoaderDeviceURL StubInfo StubImageIdentifier LoaderImageIdentifier StubDevicePartUUID \
         LoaderDevicePartUUID LoaderFirmwareInfo LoaderFirmwareType; do
        f=\$V/\$n-$LOADER_GUID
        if [ -f "\$f" ]; then
                echo "PBVAR \$n \$(od -An -tx4 -N4 "\$f" | tr -d ' ') \$(tail -c +5 "\$f" | tr -d '\\000')"
        else
                echo "PBVAR \$n unset"
        fi
done
f=\$V/StubFeatures-$LOADER_GUID
if [ -f "\$f" ]; then
        echo "PBVAR StubFeatures \$(od -An -tx4 -N4 "\$f" | tr -d ' ') \$(tail -c +5 "\$f" | od -An -tx8 | tr -d ' ')"
else
        echo "PBVAR StubFeatures unset"
fi
f=\$V/PullbootNetInfo-$PULLBOOT_GUID
if [ -f "\$f" ]; then
        echo "PBVAR PullbootNetInfo \$(od -An -tx4 -N4 "\$f" | tr -d ' ')"
        tail -c +5 "\$f" | while IFS= read -r l || [ -n "\$l" ]; do echo "PBNET \$l"; done
else
        echo "PBVAR PullbootNetInfo unset"
fi
echo "PBVAR-END"
poweroff -f
EOF
        chmod 755 "$root/init"
        (cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) | gzip -1 >"$WORK/initrd.img"
}

# Appends sections to a stub the way ukify does: each new section starts on the next 4 KiB
# boundary after everything already in the image. Usage: build_uki STUB OUT name=file...
build_uki() {
        local stub=$1 out=$2
        shift 2
        need_tools objcopy objdump
        cp "$stub" "$out.tmp"
        local spec name file end
        for spec in "$@"; do
                name=${spec%%=*}
                file=${spec#*=}
                # Highest VMA+size of the sections already present, rounded up to 4 KiB.
                end=0
                while read -r _ _ size vma _; do
                        [ $(( 0x$vma + 0x$size )) -gt "$end" ] && end=$(( 0x$vma + 0x$size ))
                done < <(objdump -h "$out.tmp" | grep -E '^ *[0-9]+ \.')
                end=$(printf '0x%x' $(( (end + 4095) / 4096 * 4096 )))
                objcopy --add-section "$name=$file" --set-section-flags "$name=data,readonly" \
                        --change-section-vma "$name=$end" "$out.tmp" "$out.tmp2"
                mv "$out.tmp2" "$out.tmp"
        done
        mv "$out.tmp" "$out"
}

# A GPT disk with one EFI system partition (fixed PARTUUID) holding EFI/BOOT/BOOTX64.EFI.
ESP_PARTUUID=6b1a4c0e-2f1d-4b8e-9d0b-2a7c5e4f3d21
build_esp_disk() {
        local efi=$1 out=$2
        need_tools sfdisk mkfs.vfat mmd mcopy
        local size_mb=$(( ($(stat -c %s "$efi") / 1048576) + 40 ))
        # Partition from 1 MiB to 1 MiB before the end (room for the backup GPT), sizes explicit
        # so the HD() device path of a boot entry can name them.
        local sectors=$(( (size_mb - 2) * 2048 ))
        truncate -s "${size_mb}M" "$out"
        printf 'label: gpt\nstart=2048, size=%s, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, uuid=%s, name="ESP"\n' \
                "$sectors" "$ESP_PARTUUID" | sfdisk -q "$out" >/dev/null
        local part=$WORK/esp.part
        truncate -s $(( sectors * 512 )) "$part"
        mkfs.vfat -F 32 -n ESP "$part" >/dev/null
        mmd -i "$part" ::/EFI ::/EFI/BOOT
        mcopy -i "$part" "$efi" ::/EFI/BOOT/BOOTX64.EFI
        dd if="$part" of="$out" bs=512 seek=2048 conv=notrunc status=none
        rm -f "$part"
        ESP_START=2048
        ESP_SIZE=$sectors
}

# run_vm, pick_port, port_was_busy: one copy for all e2e libraries.
VM_TIMEOUT=$QEMU_TIMEOUT
# shellcheck source=../../helpers/vm-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../helpers/vm-lib.sh"

# pullboot-vm and the VARS tool (test/integration/bootcfg/vstool) come from meson's environment.
need_vm() {
        [ -x "${PULLBOOT_VM:-}" ] || fail "pullboot-vm not built (PULLBOOT_VM='${PULLBOOT_VM:-}')"
        need_tools qemu-system-x86_64
}
need_vstool() {
        [ -x "${VSTOOL:-}" ] || fail "vstool not built (VSTOOL='${VSTOOL:-}')"
}

# UTF-16LE hex of an ASCII string, NUL-terminated unless $2 is "nonul".
utf16_hex() {
        local s=$1 i out=
        for ((i = 0; i < ${#s}; i++)); do
                out+=$(printf '%02x00' "'${s:i:1}")
        done
        [ "${2:-}" = nonul ] || out+=0000
        printf '%s' "$out"
}
# Little-endian hex of an integer of $2 bytes.
le_hex() {
        local v=$1 n=$2 i out=
        for ((i = 0; i < n; i++)); do
                out+=$(printf '%02x' $(( (v >> (8 * i)) & 0xff )))
        done
        printf '%s' "$out"
}
# A GUID in its on-disk byte order (first three fields little-endian).
guid_hex() {
        local g=${1//-/}
        printf '%s' "${g:6:2}${g:4:2}${g:2:2}${g:0:2}${g:10:2}${g:8:2}${g:14:2}${g:12:2}${g:16:16}"
}

# set_disk_boot_entry VARS PARTUUID START SIZE PATH OPTIONS: Boot0001 "pullboot stub e2e" =
# HD(1,GPT,PARTUUID,START,SIZE)/File(PATH) with OPTIONS as UTF-16 optional data (the load options
# the firmware hands the image), first in BootOrder. pullboot-bootcfg writes only URI entries, so
# the EFI_LOAD_OPTION is laid out here (UEFI 2.10 3.1.3, device path nodes 10.3.5.1/10.3.5.4) and
# stored with vstool.
set_disk_boot_entry() {
        local vars=$1 partuuid=$2 start=$3 size=$4 path=$5 options=$6
        local file hd dp opt
        file=$(utf16_hex "$path")
        hd=0401$(le_hex 42 2)$(le_hex 1 4)$(le_hex "$start" 8)$(le_hex "$size" 8)$(guid_hex "$partuuid")0202
        dp=$hd"0404"$(le_hex $((4 + ${#file} / 2)) 2)$file"7fff0400"
        opt=$(le_hex 1 4)$(le_hex $((${#dp} / 2)) 2)$(utf16_hex "pullboot stub e2e")$dp$(utf16_hex "$options" nonul)
        "$VSTOOL" set "$vars" Boot0001 "$EFI_GLOBAL_GUID" "$opt" >/dev/null &&
                "$VSTOOL" set "$vars" BootOrder "$EFI_GLOBAL_GUID" 0100 >/dev/null ||
                fail "cannot write the disk boot entry into $vars"
}

# A loader variable a boot loader would have set before the stub runs: non-volatile, UTF-16.
set_loader_var() {
        "$VSTOOL" set "$1" "$2" "$LOADER_GUID" "$(utf16_hex "$3")" >/dev/null || fail "cannot preset $2 in $1"
}

# Value of a PBVAR line: pbvar LOG NAME -> "attrs value" or "unset".
pbvar() {
        sed -n "s/^PBVAR $2 //p" "$1" | head -n 1
}

expect_eq() {
        local what=$1 got=$2 want=$3
        if [ "$got" != "$want" ]; then
                fail "$what: got '$got', want '$want'"
        fi
        echo "ok: $what = '$got'"
}
