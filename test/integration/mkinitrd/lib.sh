# SPDX-License-Identifier: LGPL-2.1-or-later
# Shared by the pullboot-mkinitrd tests: usage "TEST MKINITRD PULLBOOT".

export LC_ALL=C
MKINITRD=$(realpath "$1")
PULLBOOT=$(realpath "$2")

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }

[ -x "$MKINITRD" ] || fail "pullboot-mkinitrd not found at '$MKINITRD'"
[ -x "$PULLBOOT" ] || fail "pullboot not found at '$PULLBOOT'"

# The newest Debian kernel with an image in /boot and its modules (not necessarily the running one).
KVER=
for k in /boot/vmlinuz-*; do
        v=${k#/boot/vmlinuz-}
        [ -f "/lib/modules/$v/modules.dep" ] && KVER=$v
done
[ -n "$KVER" ] || skip "no kernel in /boot with modules in /lib/modules (install linux-image-amd64)"
KERNEL=/boot/vmlinuz-$KVER

TMP=$(mktemp -d /tmp/test-mkinitrd.XXXXXX)
cleanup_tmp() { rm -rf "$TMP"; }
trap cleanup_tmp EXIT

mib() { awk -v b="$1" 'BEGIN { printf "%.1f MiB", b / 1048576 }'; }
size_of() { stat -c %s "$1"; }
