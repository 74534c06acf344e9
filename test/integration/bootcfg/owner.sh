#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# An edited VARS file keeps its owner, group and mode (libvirt's nvram files belong to the qemu
# user; root editing one must not make it unreadable to QEMU), also behind a symlink, and no
# temporary file is left behind. The owner checks need root (exit 77 otherwise, after the mode
# checks).
set -u

BOOTCFG=${1:?usage: owner.sh PULLBOOT-BOOTCFG}
SRC=/usr/share/OVMF/OVMF_VARS_4M.fd
if [ ! -e "$SRC" ]; then
        echo "SKIP: $SRC missing (Debian package ovmf)"
        exit 77
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
chmod 0755 "$T"    # the file's owner (another user) must reach it
. "$(dirname "$0")/checks.sh"

differs() { ! cmp -s "$1" "$2"; }
owner_reads() { setpriv --reuid=65534 --regid=65534 --clear-groups cat "$1" >/dev/null; }
add() { # add FILE URI: one --add-uri that must change the file
        cp "$1" "$T/before"
        expect_rc 0 "--add-uri $2 on $1" "$BOOTCFG" --vars "$1" --add-uri "$2" --title owner
        check "$1 was changed" differs "$1" "$T/before"
}

mkdir "$T/d"
cp "$SRC" "$T/d/vars.fd"
chmod 0640 "$T/d/vars.fd"
add "$T/d/vars.fd" http://h/mode.efi
check "mode 0640 kept" [ "$(stat -c %a "$T/d/vars.fd")" = 640 ]
check "no temporary file left" [ "$(ls "$T/d")" = vars.fd ]

if [ "$(id -u)" != 0 ]; then
        checks_summary || exit 1
        echo "SKIP: owner and group checks need root (chown to another user)"
        exit 77
fi

chown 65534:65534 "$T/d/vars.fd"
chmod 0600 "$T/d/vars.fd"
add "$T/d/vars.fd" http://h/owner.efi
check "owner and group 65534:65534 kept" [ "$(stat -c %u:%g "$T/d/vars.fd")" = 65534:65534 ]
check "mode 0600 kept" [ "$(stat -c %a "$T/d/vars.fd")" = 600 ]
check "the file owner can still read it" owner_reads "$T/d/vars.fd"

# Behind a symlink (libvirt layouts): the target is replaced with its owner, the link stays a link.
chown 65534:0 "$T/d/vars.fd"
chmod 0604 "$T/d/vars.fd"
ln -s d/vars.fd "$T/link.fd"
add "$T/link.fd" http://h/link.efi
check "symlink is still a symlink" [ -L "$T/link.fd" ]
check "target owner 65534:0 kept" [ "$(stat -c %u:%g "$T/d/vars.fd")" = 65534:0 ]
check "target mode 0604 kept" [ "$(stat -c %a "$T/d/vars.fd")" = 604 ]
check "no temporary file left" [ "$(ls "$T/d")" = vars.fd ]
checks_summary
