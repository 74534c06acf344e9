#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Runs before boot-debian-root (suites e2e and slow): builds the real Debian root that scenario
# boots (test/helpers/mkdebroot: debootstrap minbase + systemd from the mirror apt uses here),
# once per build tree, cached in test/e2e/boot/cache/debian-root/ and rebuilt only when its
# inputs change; skips with the reason when it cannot be built (not root, no debootstrap, mirror
# unreachable). Checks what the scenario relies on: systemd is /sbin/init, udev, D-Bus and kmod are in.
E2E_NAME=debian-root-assets
. "$(dirname "$0")/../../helpers/e2e-lib.sh"
e2e_require
. "$(dirname "$0")/boot-debian-root-lib.sh"
debian_root_tree

[ "$(readlink "$DEBIAN_ROOT/sbin/init")" = /lib/systemd/systemd ] ||
        e2e_fail "/sbin/init of the Debian root is '$(readlink "$DEBIAN_ROOT/sbin/init")', not /lib/systemd/systemd"
for f in usr/lib/systemd/systemd usr/bin/systemctl usr/bin/udevadm usr/bin/dbus-daemon usr/bin/kmod usr/bin/findmnt; do
        [ -x "$DEBIAN_ROOT/$f" ] || e2e_fail "the Debian root lacks /$f"
done
grep -q '^VERSION_CODENAME=bookworm$' "$DEBIAN_ROOT/etc/os-release" || e2e_fail "the Debian root is not bookworm"
[ ! -s "$DEBIAN_ROOT/etc/machine-id" ] || e2e_fail "the Debian root has a machine-id (every boot must get its own)"

# Built once: a second call with the same inputs reuses the tree.
ino=$(stat -c %i "$DEBIAN_ROOT")
again=$(flock "$DEBIAN_ROOT_CACHE.lock" "$PB_SRC/test/helpers/mkdebroot" --cache "$DEBIAN_ROOT_CACHE") ||
        e2e_fail "mkdebroot failed on its second call"
grep -q '^mkdebroot: cached Debian root' <<<"$again" && [ "$(stat -c %i "$DEBIAN_ROOT")" = "$ino" ] ||
        e2e_fail "mkdebroot rebuilt the tree although its inputs did not change: $again"
echo "ok: a second mkdebroot reuses the cached tree"

# An unreachable mirror is a skip with the reason, not a failure (port 1 of localhost refuses).
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rc=0
msg=$("$PB_SRC/test/helpers/mkdebroot" --cache "$tmp" --mirror http://127.0.0.1:1/debian) || rc=$?
[ $rc -eq 77 ] && grep -q 'cannot build the Debian root here: ' <<<"$msg" ||
        e2e_fail "mkdebroot with an unreachable mirror exited $rc, not 77 with a reason: $msg"
echo "ok: an unreachable mirror skips: ${msg##*: }"

echo "Debian root $DEBIAN_ROOT: $(du -sm "$DEBIAN_ROOT" | cut -f1) MiB, $(find "$DEBIAN_ROOT" | wc -l) files"
echo PASS
