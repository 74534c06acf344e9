#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# pullboot-vm refuses a damaged --vars file before QEMU starts and leaves it untouched. A fake
# qemu-system-x86_64 first in PATH records whether it was started, so no real VM ever runs here.
set -u

VM=${1:?usage: vm-vars.sh PULLBOOT-VM}
SRC=/usr/share/OVMF/OVMF_VARS_4M.ms.fd
if [ ! -e "$SRC" ] || [ ! -e /usr/share/OVMF/OVMF_CODE_4M.fd ]; then
        echo "SKIP: Debian's OVMF 4M files missing (package ovmf)"
        exit 77
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/checks.sh"

cp "$SRC" "$T/vars.fd"
printf '\000' | dd of="$T/vars.fd" bs=1 seek=$((0x65)) conv=notrunc status=none   # first start marker
cp "$T/vars.fd" "$T/damaged"
: >"$T/disk.img"
mkdir "$T/bin"
printf '#!/bin/sh\ntouch "%s/qemu-started"\nexit 1\n' "$T" >"$T/bin/qemu-system-x86_64"
chmod +x "$T/bin/qemu-system-x86_64"
expect_rc 1 "pullboot-vm with a damaged --vars" \
        env PATH="$T/bin:$PATH" "$VM" --vars "$T/vars.fd" --disk "$T/disk.img" --timeout 5
check "refusal names the offset" grep -q 'offset 0x64' "$T/err"
check "QEMU was not started" [ ! -e "$T/qemu-started" ]
check "the damaged file is untouched" cmp -s "$T/vars.fd" "$T/damaged"
checks_summary
