#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Planted boot origin: before the boot, the VARS file gets non-volatile StubDeviceURL and
# LoaderDeviceURL (attributes 0x7) pointing at another UKI on the same server, as root of an
# earlier boot could leave them through efivarfs. The firmware would not let the stub replace them
# by volatile ones, so the stub deletes them first (and says so); the initrd then sees this boot's
# volatile URL, pulls the image next to demo.efi, not the planted one, and warns about nothing.
E2E_NAME=boot-planted-origin
. "$(dirname "$0")/../../helpers/e2e-lib.sh"
e2e_begin
PLANT_VAR=$PB_BUILD/test/e2e/boot/plant-var
[ -x "$PLANT_VAR" ] || e2e_skip "the plant-var test helper was not built: $PLANT_VAR"

NAME="pullboot e2e planted origin"
e2e_image raw "$SRV/demo.raw" "$NAME"
e2e_compress "$SRV/demo.raw"
e2e_image raw "$SRV/other.raw" "pullboot e2e PLANTED image"
e2e_compress "$SRV/other.raw"
e2e_sha256sums "$SRV"
e2e_uki "$SRV/demo.efi" 'rd.systemd.pull=raw,machine,verify=checksum,blockdev,bootorigin:rootdisk:demo.raw.zst root=gpt-auto'
cp "$SRV/demo.efi" "$SRV/other.efi"

PORT=$(( 20000 + $(od -An -N2 -tu2 /dev/urandom) % 40000 ))
PLANTED=http://10.0.2.2:$PORT/other.efi
LOADER_GUID=4a67b082-0a4c-41cf-b6c7-440b29bb8c4f
cp "$OVMF_DIR/OVMF_VARS_4M.fd" "$E2E_WORK/vars.fd"
for v in StubDeviceURL LoaderDeviceURL; do
        "$PLANT_VAR" "$E2E_WORK/vars.fd" "$v" "$LOADER_GUID" 7 "$PLANTED" || e2e_fail "cannot plant $v"
done
"$PULLBOOT_BOOTCFG" --vars "$E2E_WORK/vars.fd" --show >/dev/null || e2e_fail "the planted VARS file does not parse"

e2e_vm --serve "$SRV" --port "$PORT" --boot demo.efi --vars "$E2E_WORK/vars.fd" --fail 'Kernel panic' \
        --fail '^pullboot: boot failed' --fail 'PLANTED'
[ "$VM_RC" = 0 ] || e2e_fail "pullboot-vm exited with $VM_RC (want 0: the guest powered off)"

URL=http://10.0.2.2:$PORT/demo.efi
for v in StubDeviceURL LoaderDeviceURL; do
        e2e_assert_console "^pullboot-stub: deleted a non-volatile copy \(not from this boot\) of EFI variable: $v$" \
                "the stub did not delete the planted non-volatile $v"
done
e2e_assert_no_console '^pullboot-stub: cannot (set|delete)' "the stub could not write its variables"
e2e_assert_console "$(e2e_banner_regex "$NAME" "$URL")" "no banner of the right image's init naming $URL"
e2e_assert_no_console 'ignoring EFI variable' "the initrd still saw a non-volatile variable"
e2e_assert_http "^GET /demo\.raw\.zst -> 200, $(stat -c %s "$SRV/demo.raw.zst") bytes$"
[ "$(e2e_count_http '^GET /other')" = 0 ] || e2e_fail "the planted origin was used: $(e2e_http | grep '^GET /other')"
echo "ok: nothing was fetched from the planted origin"
e2e_phases
echo PASS
