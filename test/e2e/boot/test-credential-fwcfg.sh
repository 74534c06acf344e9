#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# import.pull through QEMU's fw_cfg (opt/io.systemd.credentials/import.pull), a file with a
# comment line, while an SMBIOS OEM string names an image that does not exist: fw_cfg comes
# first in systemd's import order, so the boot must use it and never ask for the other image.
E2E_NAME=boot-credential-fwcfg
. "$(dirname "$0")/../../helpers/e2e-lib.sh"
e2e_begin

NAME="pullboot e2e credential fw_cfg"
e2e_image raw "$SRV/demo.raw" "$NAME"
e2e_compress "$SRV/demo.raw"
e2e_sha256sums "$SRV"
e2e_uki "$SRV/demo.efi" 'root=/dev/disk/by-loop-ref/rootdisk.raw-part2'

CRED=$E2E_WORK/import.pull
printf '# the root image, next to the UKI\nraw,machine,verify=checksum,blockdev,bootorigin:rootdisk:demo.raw.zst\n' > "$CRED"
e2e_vm --serve "$SRV" --boot demo.efi --fail 'Kernel panic' \
        --qemu-arg -fw_cfg --qemu-arg "name=opt/io.systemd.credentials/import.pull,file=$CRED" \
        --qemu-arg -smbios --qemu-arg 'type=11,value=io.systemd.credential:import.pull=raw,,blockdev,,bootorigin:rootdisk:wrong.raw.zst'
[ "$VM_RC" = 0 ] || e2e_fail "pullboot-vm exited with $VM_RC (want 0: the guest powered off)"

URL=$(e2e_url_base)/demo.efi
e2e_assert_console '^pullboot: import\.pull credential from QEMU fw_cfg$' "init did not report the credential from fw_cfg"
e2e_assert_console "$(e2e_banner_regex "$NAME" "$URL")" "no banner of the pulled root's init naming $URL"
e2e_assert_http "^GET /demo\.raw\.zst -> 200, $(stat -c %s "$SRV/demo.raw.zst") bytes$"
if e2e_http | grep -q 'wrong\.raw'; then
        e2e_fail "the SMBIOS credential was used although fw_cfg has one"
fi
e2e_phases
echo PASS
