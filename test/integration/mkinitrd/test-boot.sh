#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Direct kernel boot of Debian's kernel with the initrd in QEMU (TCG), once zstd- and once
# xz-compressed: the kernel unpacks the cpio, runs our /init, pullboot's own messages reach the
# console, and with the image's virtio_net module and klibc ipconfig it gets an address by DHCP
# from QEMU's user network. Each boot is bounded to 120 s; QEMU is killed on every exit path.
set -eu
. "$(dirname "$0")/lib.sh"
QEMU=$(command -v qemu-system-x86_64) || skip "qemu-system-x86_64 is not installed"
[ -r "$KERNEL" ] || skip "cannot read $KERNEL"

qemu_pid=
stop_qemu() {
        if [ -n "$qemu_pid" ]; then
                kill "$qemu_pid" 2>/dev/null || true
                wait "$qemu_pid" 2>/dev/null || true
                qemu_pid=
        fi
}
trap 'stop_qemu; cleanup_tmp' EXIT
trap 'exit 1' INT TERM

# boot COMPRESSION LEVEL
boot() {
        local c=$1 level=$2
        local img=$TMP/initrd-$c.img console=$TMP/console-$c.log log=$TMP/console-$c.txt
        "$MKINITRD" -k "$KVER" --pullboot "$PULLBOOT" -c "$c" --compress-level "$level" -o "$img"
        : > "$console"

        # The pull names a closed port on the host (10.0.2.2:9): init loads modules, brings up the
        # network and then fails to download, which is all we need. panic=-1 and -no-reboot end
        # QEMU if init dies.
        "$QEMU" -accel tcg -m 1024 -smp 1 -nodefaults -no-user-config -nographic -no-reboot \
                -serial "file:$console" -monitor none -display none \
                -nic user,model=virtio-net-pci,restrict=on \
                -kernel "$KERNEL" -initrd "$img" \
                -append "console=ttyS0 panic=-1 pullboot.failure=poweroff pullboot.dhcp-timeout=30 root=gpt-auto rd.systemd.pull=raw,machine,verify=no,blockdev:rootdisk:http://10.0.2.2:9/image.raw" \
                > "$TMP/qemu.out" 2>&1 &
        qemu_pid=$!

        local deadline=$((SECONDS + 120)) ran=false
        while [ $SECONDS -lt $deadline ]; do
                grep -q '^pullboot: ' "$console" && ran=true
                if grep -q -e '^pullboot: network up' -e '^pullboot: boot failed' "$console"; then
                        sleep 1
                        break
                fi
                kill -0 "$qemu_pid" 2>/dev/null || break
                sleep 1
        done
        stop_qemu
        tr -d '\r' < "$console" > "$log"

        grep -E 'initramfs|Run /init|Kernel panic|^pullboot: (started|modules|network|eth)' "$log" | tail -n 12 || true
        grep -q 'Initramfs unpacking failed' "$log" && fail "$c: the kernel could not unpack the initrd"
        grep -q 'Run /init as init process' "$log" || fail "$c: the kernel did not run /init (QEMU: $(cat "$TMP/qemu.out"))"
        grep -q '^pullboot: ' "$log" || $ran || fail "$c: no 'pullboot:' line on the console within 120 s"
        awk '/Run \/init as init process/ { r = 1 } r && /^pullboot: / { ok = 1 } END { exit !ok }' "$log" ||
                fail "$c: no pullboot line after /init started"
        echo "$c: /init ran: $(grep -m1 '^pullboot: ' "$log")"
        grep -q '^IP-Config: .* complete' "$log" || fail "$c: klibc ipconfig did not complete DHCP"
        grep -q '^pullboot: network up after' "$log" || fail "$c: the network did not come up (virtio_net, ipconfig)"
        echo "$c: DHCP in the initrd: $(grep -m1 '^pullboot: eth' "$log" || grep -m1 '^IP-Config: .* complete' "$log")"
}

booted=0
for c in zstd xz; do
        opt=CONFIG_RD_$(echo "$c" | tr a-z A-Z)
        if ! grep -q "^$opt=y" "/boot/config-$KVER" 2>/dev/null; then
                echo "kernel $KVER has no $opt, $c boot left out"
                continue
        fi
        boot "$c" "$([ "$c" = xz ] && echo 0 || echo 3)"
        booted=$((booted + 1))
done
[ "$booted" -gt 0 ] || skip "kernel $KVER has neither zstd nor xz initrd support"
echo "PASS"
