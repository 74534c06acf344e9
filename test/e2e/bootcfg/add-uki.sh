#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# e2e proof of --add-uki's device path: a GPT disk whose ESP holds a UKI (our stub, Debian's
# kernel, the stub tests' small initrd) at \EFI\Linux\pullboot.efi, where no firmware default
# looks (not the removable-media path \EFI\BOOT\BOOTX64.EFI), so only the entry can boot it. The
# ESP is loop-attached and mounted on the host, pullboot-bootcfg writes the entry into a VARS copy
# from the mounted file, and OVMF (pullboot-vm: --vars, --disk, no NIC) must start that entry and
# hand the kernel the entry's --cmdline, which the initrd prints.
# Usage: add-uki.sh PULLBOOT-BOOTCFG STUB   (PULLBOOT_VM from the environment; root)
BOOTCFG=${1:?usage: add-uki.sh PULLBOOT-BOOTCFG STUB}
STUB=${2:-}
QEMU_TIMEOUT=${QEMU_TIMEOUT:-90}
. "$(dirname "$0")/../stub/lib.sh"

[ -n "$STUB" ] && [ -f "$STUB" ] || skip "EFI stub not built (needs gnu-efi)"
[ "$(id -u)" = 0 ] || skip "needs root (loop device, partx, mount)"
[ -r "$OVMF_DIR/OVMF_CODE_4M.fd" ] && [ -r "$OVMF_DIR/OVMF_VARS_4M.fd" ] || skip "OVMF firmware not installed"
need_tools losetup partx sfdisk mkfs.vfat mmd mcopy
need_vm

LOOP=
MNT=
detach() {
        if [ -n "$MNT" ] && mountpoint -q "$MNT"; then
                umount "$MNT" 2>/dev/null || umount -l "$MNT"
        fi
        MNT=
        if [ -n "$LOOP" ]; then
                # A FUSE daemon may hold the partition for a moment after umount.
                for _ in $(seq 1 20); do partx -d "$LOOP" 2>/dev/null && break; sleep 0.1; done
                losetup -d "$LOOP" 2>/dev/null || true
        fi
        LOOP=
}
setup_workdir
# detach first; cleanup reports and exits with the script's status.
trap 'rc=$?; detach; (exit $rc); cleanup' EXIT

find_kernel
build_initrd
build_uki "$STUB" "$WORK/uki.efi" .osrel=/etc/os-release .linux="$KERNEL" .initrd="$WORK/initrd.img"

# The disk: one ESP (fixed PARTUUID) from 1 MiB, the UKI at \EFI\Linux\pullboot.efi only.
DISK=$WORK/disk.img
size_mb=$(( $(stat -c %s "$WORK/uki.efi") / 1048576 + 40 ))
# An odd size, so its hex has letters: edk2 prints them upper case, and so must we.
sectors=$(( (size_mb - 2) * 2048 - 6 ))
truncate -s "${size_mb}M" "$DISK"
printf 'label: gpt\nstart=2048, size=%s, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, uuid=%s, name="ESP"\n' \
        "$sectors" "$ESP_PARTUUID" | sfdisk -q "$DISK" >/dev/null || fail "sfdisk"
LOOP=$(losetup -f --show "$DISK") || skip "no loop device available"
partx -a "$LOOP" 2>/dev/null || partx -u "$LOOP" || fail "partx -a $LOOP"
for _ in $(seq 1 50); do [ -b "${LOOP}p1" ] && break; sleep 0.1; done
[ -b "${LOOP}p1" ] || fail "no ${LOOP}p1 after partx -a"
mkfs.vfat -F 32 -n ESP "${LOOP}p1" >/dev/null || fail "mkfs.vfat ${LOOP}p1"
export MTOOLS_SKIP_CHECK=1
{ mmd -i "${LOOP}p1" ::/EFI ::/EFI/Linux && mcopy -i "${LOOP}p1" "$WORK/uki.efi" ::/EFI/Linux/pullboot.efi; } \
        2>"$WORK/mtools.log" || fail "mtools: $(cat "$WORK/mtools.log")"

# Mounted as an installer or CI would have it: the kernel's vfat, else FUSE on the partition.
MNT=$WORK/esp
mkdir -p "$MNT"
if ! mount -t vfat -o ro "${LOOP}p1" "$MNT" 2>/dev/null; then
        command -v fusefat >/dev/null || skip "the kernel has no vfat and fusefat is not installed"
        fusefat -o ro,blkdev,fsname="${LOOP}p1" "${LOOP}p1" "$MNT" >/dev/null 2>&1 ||
                skip "neither vfat nor fusefat can mount ${LOOP}p1"
        echo "note: ESP mounted with fusefat (this kernel has no vfat)"
fi

VARS=$WORK/vars.fd
cp "$OVMF_DIR/OVMF_VARS_4M.fd" "$VARS"
MARKER=pbtest=adduki-$RANDOM$RANDOM
OPTIONS="console=ttyS0 panic=-1 $MARKER"
TITLE='pullboot add-uki'
"$BOOTCFG" --vars "$VARS" --add-uki "$MNT/EFI/Linux/pullboot.efi" --title "$TITLE" --boot-order 0 \
        --cmdline "$OPTIONS" 2>"$WORK/bootcfg.err" || fail "pullboot-bootcfg --add-uki: $(cat "$WORK/bootcfg.err")"
cat "$WORK/bootcfg.err"
detach
NUM=$("$BOOTCFG" --vars "$VARS" --show | sed -n 's/^BootOrder: \([0-9A-F]\{4\}\).*/\1/p')
[ -n "$NUM" ] || fail "no BootOrder after --add-uki"
DP=$("$BOOTCFG" --vars "$VARS" --show -v | awk -F'\t' -v n="Boot$NUM" 'index($1, n) == 1 { print $2 }')
want="HD(1,GPT,${ESP_PARTUUID^^},0x800,$(printf '0x%X' "$sectors"))/\\EFI\\Linux\\pullboot.efi"
expect_eq "Boot$NUM device path" "$DP" "$want"

LOG=$WORK/console.log
run_vm "$LOG" --vars "$VARS" --disk "$DISK" --nics 0 --expect 'PBVAR-END'
# OVMF prints the path with edk2's DevicePathToText: it must read the entry as we wrote it.
grep -qF "BdsDxe: starting Boot$NUM \"$TITLE\" from $DP" "$LOG" ||
        fail "OVMF did not start Boot$NUM \"$TITLE\" (pullboot-vm exit $VM_RC): $(grep -a 'BdsDxe' "$LOG" | head -n 5)"
grep -q 'PBVAR-END' "$LOG" || fail "the UKI did not boot to the test initrd (pullboot-vm exit $VM_RC)"
echo "ok: OVMF started Boot$NUM \"$TITLE\" from $DP in ${QEMU_SECONDS}s"
expect_eq "kernel command line" "$(pbvar "$LOG" cmdline)" "$OPTIONS"
echo "PASS"
