#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Scenario 7: two NICs, the firmware may only boot from the second. The initrd must bring up the
# NIC the firmware booted from (the stub recorded its MAC), not the first one the kernel finds:
# the root's init names the interface of the default route and its MAC.
E2E_NAME=boot-two-nics
. "$(dirname "$0")/../../helpers/e2e-lib.sh"
e2e_begin

NAME="pullboot e2e two NICs"
e2e_image raw "$SRV/demo.raw" "$NAME"
e2e_compress "$SRV/demo.raw"
e2e_sha256sums "$SRV"
e2e_uki "$SRV/demo.efi" 'rd.systemd.pull=raw,machine,verify=checksum,blockdev,bootorigin:rootdisk:demo.raw.zst root=gpt-auto'

e2e_vm --serve "$SRV" --boot demo.efi --nics 2 --boot-nic 2 --fail 'Kernel panic'
[ "$VM_RC" = 0 ] || e2e_fail "pullboot-vm exited with $VM_RC (want 0: the guest powered off)"

URL=$(e2e_url_base)/demo.efi
e2e_assert_console "$(e2e_banner_regex "$NAME" "$URL")" "no banner of the pulled root's init naming $URL"
# NIC i has the MAC 52:54:00:12:34:(56+i-1): the boot NIC is ...:57.
e2e_assert_console '^pullboot demo: network [^ ]+ 52:54:00:12:34:57$' "the default route is not on the boot NIC (52:54:00:12:34:57)"
# Only meaningful if the guest saw the other NIC too.
e2e_assert_console '^pullboot demo: interfaces .*=52:54:00:12:34:56( |$)' "the guest did not see the first NIC (e1000), so the choice proves nothing"
e2e_assert_console '^pullboot: [^ ]+ \(52:54:00:12:34:57\): .* by DHCP' "the initrd did not configure the boot NIC"
e2e_phases
echo PASS
