#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The pull expression comes from the VM manager, not the UKI: the UKI's command line names only
# the root, and QEMU passes import.pull as an SMBIOS type 11 OEM string (smbios-type-11(7)),
# next to an OEM string meant for someone else. One UKI, netbooted unchanged, boots the image the
# VM's configuration names.
E2E_NAME=boot-credential-smbios
. "$(dirname "$0")/../../helpers/e2e-lib.sh"
e2e_begin

NAME="pullboot e2e credential smbios"
e2e_image raw "$SRV/demo.raw" "$NAME"
e2e_compress "$SRV/demo.raw"
e2e_sha256sums "$SRV"
e2e_uki "$SRV/demo.efi" 'root=/dev/disk/by-loop-ref/rootdisk.raw-part2'

# QEMU's option syntax doubles the commas inside a value.
e2e_vm --serve "$SRV" --boot demo.efi --fail 'Kernel panic' \
        --qemu-arg -smbios --qemu-arg 'type=11,value=io.systemd.stub.kernel-cmdline-extra=quiet,value=io.systemd.credential:import.pull=raw,,machine,,verify=checksum,,blockdev,,bootorigin:rootdisk:demo.raw.zst'
[ "$VM_RC" = 0 ] || e2e_fail "pullboot-vm exited with $VM_RC (want 0: the guest powered off)"

URL=$(e2e_url_base)/demo.efi
e2e_assert_console '^pullboot: import\.pull credential from SMBIOS type 11$' "init did not report the credential from SMBIOS"
e2e_assert_console "$(e2e_banner_regex "$NAME" "$URL")" "no banner of the pulled root's init naming $URL"
e2e_assert_console '^pullboot demo: init ran from .* \(root /dev/loop[0-9]+p2\) ' "the root is not partition 2 of a loop device"
e2e_assert_http "^GET /demo\.raw\.zst -> 200, $(stat -c %s "$SRV/demo.raw.zst") bytes$"
e2e_phases
echo PASS
