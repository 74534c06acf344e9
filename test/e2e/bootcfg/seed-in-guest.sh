#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The seed workflow inside a guest, with real firmware variables (efivarfs) and real reboots.
#
#   offline:  VARS gets Boot "first" -> http://10.0.2.2:PORT/first.efi at BootOrder 0
#   boot 1:   OVMF HTTP-boots first.efi, a UKI (systemd-stub + Debian kernel + a tiny initrd with
#             pullboot-bootcfg). In the guest: removing BootCurrent is refused (exit 4), then
#             --add-uri .../second.efi --title testloop --boot-order 0, then reboot -f.
#   boot 2:   the firmware must now fetch second.efi (same initrd, phase 2 on its command line).
#             In the guest: --remove-entry of the entry it booted from is refused, then forced;
#             --show; poweroff.
#   offline:  the VARS file shows exactly what the guest's last --show showed.
# pullboot-vm boots the store as it is (--vars, no --boot), serves both images on the port the
# entries name, and restarts QEMU with the same store on the guest's one reboot (--reboots 1).
set -u
BOOTCFG=${1:?usage: seed-in-guest.sh PULLBOOT-BOOTCFG}
. "$(dirname "$0")/lib.sh"

require_tools qemu-system-x86_64 objcopy objdump cpio gzip
STUB=/usr/lib/systemd/boot/efi/linuxx64.efi.stub
[ -r "$STUB" ] || skip "$STUB missing (Debian package systemd-boot-efi)"
BUSYBOX=$(command -v busybox) || skip "busybox missing (Debian package busybox-static)"
file -L "$BUSYBOX" 2>/dev/null | grep -q 'statically linked' || ldd "$BUSYBOX" 2>&1 | grep -q 'not a dynamic' ||
        skip "$BUSYBOX is not statically linked (install busybox-static)"
KERNEL=$(ls /boot/vmlinuz-*-amd64 2>/dev/null | sort -V | tail -1)
[ -n "$KERNEL" ] || skip "no Debian kernel /boot/vmlinuz-*-amd64 (package linux-image-amd64)"
KVER=${KERNEL#/boot/vmlinuz-}
EFIVARFS_KO=$(find "/lib/modules/$KVER" -name 'efivarfs.ko*' 2>/dev/null | head -1)
if [ -z "$EFIVARFS_KO" ] && ! grep -q '^CONFIG_EFIVAR_FS=y' "/boot/config-$KVER" 2>/dev/null; then
        skip "no efivarfs module for $KVER"
fi

e2e_setup
T=$E2E_DIR

# --- the initrd ---------------------------------------------------------------------------------
R=$T/initrd
mkdir -p "$R/bin" "$R/proc" "$R/sys" "$R/dev" "$R/tmp"
cp "$BUSYBOX" "$R/bin/busybox"
cp "$BOOTCFG" "$R/bin/pullboot-bootcfg"
for lib in $(ldd "$BOOTCFG" | grep -o '/[^ ]*'); do
        mkdir -p "$R$(dirname "$lib")"
        cp -L "$lib" "$R$lib"
done
case $EFIVARFS_KO in
*.xz) xz -dc "$EFIVARFS_KO" >"$R/efivarfs.ko" ;;
*.zst) zstd -qdc "$EFIVARFS_KO" >"$R/efivarfs.ko" ;;
?*) cp "$EFIVARFS_KO" "$R/efivarfs.ko" ;;
esac
cat >"$R/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
[ -e /efivarfs.ko ] && insmod /efivarfs.ko
mount -t efivarfs efivarfs /sys/firmware/efi/efivars || echo "PBE2E efivarfs mount failed"
phase=$(sed -n 's/.*pbphase=\([0-9]*\).*/\1/p' /proc/cmdline)
port=$(sed -n 's/.*pbport=\([0-9]*\).*/\1/p' /proc/cmdline)
current=$(pullboot-bootcfg --show | sed -n 's/^BootCurrent: //p')
echo "PBE2E phase=$phase current=$current"
pullboot-bootcfg --remove-entry "$current"
echo "PBE2E rc-remove-current=$?"
if [ "$phase" = 1 ]; then
        pullboot-bootcfg --add-uri "http://10.0.2.2:$port/second.efi" --title testloop --boot-order 0
        echo "PBE2E rc-add=$?"
        pullboot-bootcfg --show -v | sed 's/^/PBE2E show1: /'
        sync
        echo "PBE2E rebooting"
        reboot -f
else
        pullboot-bootcfg --remove-entry "$current" --force
        echo "PBE2E rc-remove-force=$?"
        pullboot-bootcfg --show -v | sed 's/^/PBE2E show2: /'
        pullboot-bootcfg --json | sed 's/^/PBE2E json2: /'
        sync
        echo "PBE2E powering off"
        poweroff -f
fi
sleep 1000
EOF
chmod +x "$R/init"
(cd "$R" && find . | sort | cpio -o -H newc --quiet | gzip -1) >"$T/initrd.img" || { echo "FAIL: cpio"; exit 1; }

# --- two UKIs from the same kernel and initrd, differing in the phase on the command line -------
uki() { # uki OUT CMDLINE
        local out=$1 cmdline=$2
        printf '%s' "$cmdline" >"$T/cmdline"
        printf 'ID=pullboot-e2e\nNAME="pullboot bootcfg e2e"\n' >"$T/osrel"
        # Sections go after the stub's last one, each page-aligned.
        local end=0 idx name size vma rest
        while read -r idx name size vma rest; do
                case $idx in *[!0-9]* | "") continue ;; esac
                [ $((0x$vma + 0x$size)) -gt "$end" ] && end=$((0x$vma + 0x$size))
        done < <(objdump -h "$STUB")
        local a=$(( (end + 0xfff) & ~0xfff ))
        local osrel=$a cmd=$((a + 0x1000))
        local linux=$(( (cmd + 0x1000 + 0xfff) & ~0xfff ))
        local ksize
        ksize=$(stat -c %s "$KERNEL")
        local initrd=$(( (linux + ksize + 0xfff) & ~0xfff ))
        objcopy \
                --add-section .osrel="$T/osrel" --change-section-vma .osrel=$(printf 0x%x $osrel) \
                --add-section .cmdline="$T/cmdline" --change-section-vma .cmdline=$(printf 0x%x $cmd) \
                --add-section .linux="$KERNEL" --change-section-vma .linux=$(printf 0x%x $linux) \
                --add-section .initrd="$T/initrd.img" --change-section-vma .initrd=$(printf 0x%x $initrd) \
                "$STUB" "$out"
}
# The port is on the kernel command line (the guest's own entry names it) and in the offline
# entry, so it is chosen first (and again if pullboot-vm cannot bind it).
VARS=$T/vars.fd
LOG=$T/serial.txt
served=
for _ in 1 2 3; do
        pick_port
        base="console=ttyS0 panic=0 loglevel=4 pbport=$PORT"
        uki "$T/www/first.efi" "$base pbphase=1" || { echo "FAIL: building first.efi"; exit 1; }
        uki "$T/www/second.efi" "$base pbphase=2" || { echo "FAIL: building second.efi"; exit 1; }
        cp "$OVMF_VARS" "$VARS"
        "$BOOTCFG" --vars "$VARS" --add-uri "http://10.0.2.2:$PORT/first.efi" --title first --boot-order 0 ||
                { echo "FAIL: offline bootcfg"; exit 1; }
        # Both boots, two downloads and two kernel starts under TCG; ends when the guest powers off.
        run_vm "$LOG" --vars "$VARS" --serve "$T/www" --port "$PORT" --reboots 1 --timeout 160 \
                --fail 'Kernel panic'
        port_was_busy "$LOG" || { served=1; break; }
        echo "note: port $PORT was taken meanwhile; trying another"
done
[ -n "$served" ] || { echo "FAIL: pullboot-vm could not bind a free port three times"; exit 1; }

fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }
S=$LOG
pb() { sed -n "s/^PBE2E $1//p" "$S"; }

[ "$VM_RC" = 0 ] || fail "pullboot-vm exited with $VM_RC (want 0: the guest powered off after one reboot)"
# The server saw first.efi, then second.efi, each in full.
gets=$(sed -n 's/^pullboot-vm: http: \(GET \/[a-z]*\.efi -> 200\), [0-9]* bytes$/\1/p' "$S" | tr '\n' ' ')
case $gets in
"GET /first.efi -> 200 GET /second.efi -> 200 "*) ;;
*) fail "expected GET first.efi then GET second.efi, server log has: $gets" ;;
esac
grep -q '^pullboot-vm: QEMU started (.*) after a guest reboot$' "$S" || fail "the guest did not reboot into the same store"
pxe_attempted "$S" && fail "serial log shows a PXE attempt"

[ "$(pb 'phase=1 current=' | head -1)" = 0000 ] || fail "boot 1: BootCurrent is not Boot0000 (first)"
[ "$(pb 'rc-remove-current=' | head -1)" = 4 ] || fail "boot 1: removing BootCurrent was not refused with exit 4"
[ "$(pb 'rc-add=')" = 0 ] || fail "boot 1: --add-uri failed in the guest"
n1=$(pb 'show1: ' | sed -n 's/^Boot\([0-9A-F]\{4\}\)\* testloop\tUri(http:\/\/10\.0\.2\.2:'"$PORT"'\/second\.efi)$/\1/p')
[ -n "$n1" ] || fail "boot 1: --show does not list the testloop entry"
pb 'show1: ' | grep -q "^BootOrder: $n1," || fail "boot 1: testloop is not first in BootOrder"
grep -q 'PBE2E rebooting' "$S" || fail "boot 1 did not reach the reboot"

[ "$(pb 'phase=2 current=')" = "$n1" ] || fail "boot 2: the firmware did not boot Boot$n1 (testloop) after the reboot"
[ "$(pb 'rc-remove-current=' | sed -n 2p)" = 4 ] || fail "boot 2: removing BootCurrent was not refused"
[ "$(pb 'rc-remove-force=')" = 0 ] || fail "boot 2: --remove-entry --force failed"
pb 'show2: ' | grep -q testloop && fail "boot 2: testloop still listed after removal"
grep -q 'PBE2E powering off' "$S" || fail "boot 2 did not reach the end"

# What the guest saw last is what the VARS file holds (BootCurrent is volatile, not in the file).
pb 'show2: ' | grep -v '^BootCurrent: ' >"$T/guest-show"
"$BOOTCFG" --vars "$VARS" --show -v >"$T/file-show" || fail "offline --show of the VARS file failed"
cmp -s "$T/guest-show" "$T/file-show" || { fail "guest --show differs from the VARS file"; diff "$T/guest-show" "$T/file-show"; }
"$BOOTCFG" --vars "$VARS" --remove-entry "$n1" >/dev/null 2>&1
[ $? = 3 ] || fail "Boot$n1 still exists in the VARS file"

if [ "$fails" -gt 0 ]; then
        echo "--- serial and server log"; cat "$S"
        exit 1
fi
echo "ok: seed workflow in the guest, two boots in ${VM_SECONDS}s"
pb 'show2: '
