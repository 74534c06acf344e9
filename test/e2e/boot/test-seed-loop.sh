#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Scenario 9, the seed's test loop: the booted system (pulled root) writes a new URI boot entry
# with pullboot-bootcfg --add-uri, first in BootOrder, and reboots; the firmware must then fetch
# the new URL, and that boot's root sees it as its boot URL.
#   boot 1: first.efi -> root's hook: --add-uri .../second.efi --boot-order 0; reboot -f
#   boot 2: second.efi -> banner "booted from .../second.efi"; power-off
E2E_NAME=boot-seed-loop
. "$(dirname "$0")/../../helpers/e2e-lib.sh"
e2e_begin
[ -x "$PULLBOOT_BOOTCFG" ] || e2e_skip "pullboot-bootcfg was not built"
BUSYBOX=$(command -v busybox) || e2e_skip "busybox is not installed (Debian package busybox-static)"
ldd "$BUSYBOX" >/dev/null 2>&1 && e2e_skip "$BUSYBOX is not static (Debian package busybox-static)"

# pullboot-bootcfg and its libraries, busybox as /bin/sh, and the hook demo-init runs.
adds=(--add "$BUSYBOX:/bin/busybox" --add "$PULLBOOT_BOOTCFG:/bin/pullboot-bootcfg")
for lib in $(ldd "$PULLBOOT_BOOTCFG" | grep -o '/[^ ]*'); do
        adds+=(--add "$(readlink -f "$lib"):$lib")
done
ln -s busybox "$E2E_WORK/sh"
adds+=(--add "$E2E_WORK/sh:/bin/sh")
cat >"$E2E_WORK/hook" <<'HOOK'
#!/bin/sh
# Run by demo-init with the boot URL. On the first boot: the new entry, then a reboot.
export PATH=/bin
case $1 in
*/first.efi)
        next=${1%/first.efi}/second.efi
        pullboot-bootcfg --add-uri "$next" --title seed-loop --boot-order 0
        echo "seed-loop: add-uri $next exited with $?"
        pullboot-bootcfg --show | sed 's/^/seed-loop: /'
        sync
        echo "seed-loop: rebooting"
        busybox reboot -f
        ;;
esac
HOOK
chmod 755 "$E2E_WORK/hook"
adds+=(--add "$E2E_WORK/hook:/etc/demo-hook")

NAME="pullboot e2e seed loop"
e2e_image raw "$SRV/demo.raw" "$NAME" --size 32 "${adds[@]}"
e2e_compress "$SRV/demo.raw"
e2e_sha256sums "$SRV"
e2e_uki "$SRV/first.efi" 'rd.systemd.pull=raw,machine,verify=checksum,blockdev,bootorigin:rootdisk:demo.raw.zst root=gpt-auto'
cp "$SRV/first.efi" "$SRV/second.efi"

E2E_TIMEOUT=220 e2e_vm --serve "$SRV" --boot first.efi --reboots 1 --fail 'Kernel panic'
[ "$VM_RC" = 0 ] || e2e_fail "pullboot-vm exited with $VM_RC (want 0: the guest powered off after the second boot)"

BASE=$(e2e_url_base)
e2e_assert_console "$(e2e_banner_regex "$NAME" "$BASE/first.efi")" "the first boot did not reach the root's init"
e2e_assert_console "^seed-loop: add-uri $(e2e_regex_quote "$BASE/second.efi") exited with 0$" "pullboot-bootcfg --add-uri failed in the guest"
e2e_assert_console "$(e2e_banner_regex "$NAME" "$BASE/second.efi")" "after the reboot the firmware did not boot second.efi"
e2e_assert_http '^GET /first\.efi -> 200'
e2e_assert_http '^GET /second\.efi -> 200'
# Order: first.efi, then second.efi.
order=$(e2e_http | sed -n 's/^GET \/\(first\|second\)\.efi -> 200.*/\1/p' | tr '\n' ' ')
[ "$order" = "first second " ] || e2e_fail "the firmware fetched '$order', want 'first second '"
echo "ok: the firmware fetched first.efi, then second.efi"
e2e_phases
echo PASS
