#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# A UKI built by pullboot-ukify boots: wrap STUB around Debian's kernel and two initrds (a gzip'd
# busybox archive whose length is not a multiple of 4, then a plain cpio with a marker file), put
# it on a FAT ESP as the removable-media loader and boot it with pullboot-vm (QEMU+OVMF, TCG, no
# NIC) until the guest powers off. The guest's /init
# prints the marker from the second initrd and the command line from the .cmdline section, which
# proves the stub found .linux, .initrd (concatenated by cpio rules) and .cmdline.
#
# Usage: boot.sh PULLBOOT-UKIFY STUB PULLBOOT-VM
set -euo pipefail

UKIFY=$1
STUB=$2
VM=$3
# The firmware pullboot-vm runs (checked here only to skip with a reason).
OVMF_CODE=/usr/share/OVMF/OVMF_CODE_4M.fd
OVMF_VARS=/usr/share/OVMF/OVMF_VARS_4M.fd

skip() {
        echo "SKIP: $*"
        exit 77
}
[ -r "$STUB" ] || skip "stub $STUB not built or not installed"
[ -x "$VM" ] || { echo "FAIL: pullboot-vm not built ($VM)"; exit 1; }
for tool in qemu-system-x86_64 mkfs.vfat mmd mcopy cpio gzip; do
        command -v "$tool" >/dev/null || skip "$tool not installed"
done
[ -r "$OVMF_CODE" ] && [ -r "$OVMF_VARS" ] || skip "OVMF not installed"
[ -x /bin/busybox ] || skip "busybox-static not installed"
kernel=$(ls /boot/vmlinuz-*-amd64 2>/dev/null | sort -V | tail -n1)
[ -n "$kernel" ] && [ -r "$kernel" ] || skip "no Debian kernel in /boot (linux-image-amd64)"

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T"

marker="PULLBOOT-UKIFY-BOOT-$$"
mkdir -p root/bin root/proc
cp /bin/busybox root/bin/busybox
cat > root/init <<'EOF'
#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
echo "UKI-MARKER $(/bin/busybox cat /marker) CMDLINE $(/bin/busybox cat /proc/cmdline)"
/bin/busybox poweroff -f
EOF
chmod 755 root/init
(cd root && find . | cpio -o -H newc --quiet) | gzip -1 > busybox.cpio.gz
# The kernel skips zero bytes after a compressed archive; they make its length 1 mod 4 so the
# next archive is only found if pullboot-ukify pads it to a 4-byte boundary.
while [ $(($(stat -c %s busybox.cpio.gz) % 4)) -ne 1 ]; do
        printf '\0' >> busybox.cpio.gz
done
mkdir -p extra
echo "$marker" > extra/marker
(cd extra && find . | cpio -o -H newc --quiet) > extra.cpio
echo "first initrd: $(stat -c %s busybox.cpio.gz) bytes (mod 4 = $(($(stat -c %s busybox.cpio.gz) % 4)))"

"$UKIFY" build --stub "$STUB" --linux "$kernel" --initrd busybox.cpio.gz --initrd extra.cpio \
        --cmdline "console=ttyS0 panic=-1 pullboot.test=$$" --os-release @/etc/os-release --output uki.efi
"$UKIFY" inspect uki.efi

mkfs.vfat -C esp.img 65536 >/dev/null
mmd -i esp.img ::/EFI ::/EFI/BOOT
mcopy -i esp.img uki.efi ::/EFI/BOOT/BOOTX64.EFI
set +e
"$VM" --disk esp.img --nics 0 --memory 1024 --timeout 150 --log console.txt
rc=$?
set -e
if ! grep -q "UKI-MARKER $marker CMDLINE console=ttyS0 panic=-1 pullboot.test=$$" console.txt; then
        tail -n 40 console.txt
        echo "FAIL: the guest did not print the marker (pullboot-vm exit $rc)"
        exit 1
fi
[ "$rc" = 0 ] || { tail -n 5 console.txt; echo "FAIL: pullboot-vm exit $rc, want 0 (the guest powered off)"; exit 1; }
grep "UKI-MARKER" console.txt | tail -n1
echo "boot: $(basename "$STUB") UKI booted to the initrd"
