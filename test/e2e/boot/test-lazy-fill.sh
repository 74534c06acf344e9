#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Lazy root with pullboot.lazy=fill over a network that breaks (issue 14): the server cuts the
# first three large range responses; the initrd continues each from the byte where it broke and
# the boot completes. Once idle, the lazy server fetches the rest of the image; the root's hook
# then takes the network down and reads the whole disk, whose SHA-256 must be the image's. The
# root is named by its by-loop-ref link, which the lazily served disk gets like a loop device.
E2E_NAME=boot-lazy-fill
. "$(dirname "$0")/../../helpers/e2e-lib.sh"
. "$(dirname "$0")/lazy-lib.sh"
e2e_begin
e2e_need_tools mkfs.erofs
lazy_need_busybox

cat >"$E2E_WORK/hook" <<'EOH'
#!/bin/busybox sh
# Waits for the lazy server's fill, takes the network away, reads the whole disk.
bb=/bin/busybox
i=0
until $bb grep -q '^filled=yes' /run/pullboot/lazy/nbd0 2>/dev/null; do
        i=$((i + 1))
        [ $i -lt 900 ] || { echo "lazy-test: the fill did not complete"; exit 1; }
        $bb sleep 0.2
done
# systemd spares processes whose argv[0] starts with '@' (root storage daemons).
for p in /proc/[0-9]*; do
        c=$($bb tr '\0' ' ' <"$p/cmdline" 2>/dev/null)
        case $c in @*) echo "lazy-test: storage daemon ${p#/proc/}: $c" ;; esac
done
$bb ip link set eth0 down && echo "lazy-test: network down"
echo "lazy-test: disk sha256 $($bb sha256sum /dev/nbd0 | $bb cut -d ' ' -f 1)"
EOH
chmod +x "$E2E_WORK/hook"

NAME="pullboot e2e lazy fill"
e2e_image raw "$SRV/demo.raw" "$NAME" --fs erofs --add "$BUSYBOX:/bin/busybox" --add "$E2E_WORK/hook:/etc/demo-hook"
lazy_pad "$SRV/demo.raw" 32
sum=$(sha256sum "$SRV/demo.raw" | cut -d ' ' -f 1)
e2e_uki "$SRV/demo.efi" 'rd.systemd.pull=raw,machine,verify=no,blockdev,bootorigin:rootdisk:demo.raw root=/dev/disk/by-loop-ref/rootdisk.raw-part2 pullboot.lazy=fill'

# pullboot-vm cuts only responses larger than BYTES: the probe stays whole, read-ahead ranges break.
e2e_vm --serve "$SRV" --boot demo.efi --drop-after 65536:3 --fail 'Kernel panic'
[ "$VM_RC" = 0 ] || e2e_fail "pullboot-vm exited with $VM_RC (want 0: the guest powered off)"

URL=$(e2e_url_base)/demo.efi
e2e_assert_console "$(e2e_banner_regex "$NAME" "$URL")" "the lazily served root did not boot through the cuts"
e2e_assert_console '^pullboot: root (/dev/nbd0p2|/dev/disk/by-loop-ref/rootdisk\.raw-part2) \(erofs, ' \
        "the root was not mounted from /dev/nbd0p2 through its by-loop-ref link"
drops=$(e2e_count_http '^GET /demo\.raw .* connection dropped on purpose$')
[ "$drops" = 3 ] || e2e_fail "want 3 cut responses for demo.raw, the server log has $drops"
e2e_assert_console '^pullboot: warning: lazy: .*/demo\.raw: range [0-9]+-[0-9]+ broke after [0-9]+ bytes .*; continuing from byte [0-9]+' \
        "no cut range was continued"
e2e_assert_console '^pullboot: lazy: fill complete: all [0-9]+ MiB of the image are in memory' "the fill did not complete"
e2e_assert_console '^lazy-test: storage daemon [0-9]+: @' "no process marked with '@' serves the root after switch_root"
e2e_assert_console '^lazy-test: network down' "the hook did not take the network down"
e2e_assert_console "^lazy-test: disk sha256 $sum\$" "the disk read after the network went away is not the image (want $sum)"
e2e_assert_no_http '^GET /demo\.raw -> 200' "the image was downloaded whole"
echo "the server sent $(lazy_bytes_sent /demo.raw) bytes of the $(stat -c %s "$SRV/demo.raw")-byte image"
e2e_phases
echo PASS
