# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash
# Shared by debian-root-assets and boot-debian-root (sourced after e2e-lib.sh).

DEBIAN_ROOT_CACHE=$PB_BUILD/test/e2e/boot/cache/debian-root

# The cached Debian root tree, built if missing or stale: $DEBIAN_ROOT. One build at a time per
# build tree; mkdebroot's exit 77 (cannot build here) becomes this test's skip with its reason.
debian_root_tree() {
        local out rc=0
        mkdir -p "$DEBIAN_ROOT_CACHE"
        out=$(flock "$DEBIAN_ROOT_CACHE.lock" "$PB_SRC/test/helpers/mkdebroot" --cache "$DEBIAN_ROOT_CACHE") || rc=$?
        printf '%s\n' "$out" | sed '$d'
        [ $rc -ne 77 ] || e2e_skip "$(printf '%s\n' "$out" | tail -n 1)"
        [ $rc -eq 0 ] || e2e_fail "mkdebroot failed (exit $rc; log in $DEBIAN_ROOT_CACHE)"
        DEBIAN_ROOT=$(printf '%s\n' "$out" | tail -n 1)
        [ -d "$DEBIAN_ROOT" ] || e2e_fail "mkdebroot named no tree ('$DEBIAN_ROOT')"
}

# debian_root_modules DIR: DIR/lib/modules/$KVER for the image. The image carries no kernel, so
# it lacks the modules of the UKI's kernel that systemd loads itself (autofs4 at start, the
# modprobe@ units): the ones it asks for, with an index, so their absence neither prints errors
# nor leaves automounts unsupported.
debian_root_modules() {
        e2e_need_tools modprobe depmod
        local mods=$1 mod ko f
        mkdir -p "$mods/lib/modules/$KVER"
        for f in modules.order modules.builtin modules.builtin.modinfo; do
                [ ! -f "/lib/modules/$KVER/$f" ] || cp "/lib/modules/$KVER/$f" "$mods/lib/modules/$KVER/"
        done
        for mod in autofs4 binfmt_misc configfs fuse efi_pstore dm_mod; do
                modprobe -S "$KVER" --show-depends "$mod" | sed -n 's/^insmod \([^ ]*\).*/\1/p'
        done | sort -u | while read -r ko; do
                mkdir -p "$mods$(dirname "$ko")"
                cp "$ko" "$mods$ko"
        done
        depmod -b "$mods" "$KVER" || e2e_fail "depmod for the image's modules failed"
}

# debian_marker DIR [EXTRA]: the marker in DIR: pullboot-marker.service (Type=simple, so that its
# own start job does not keep the system "starting" while it waits; after multi-user.target, which
# wants it: wants-link), and pullboot-marker, which once the system is up reports on the console,
# as "pullboot-marker: ..." lines, PID 1, the root, multi-user.target, the failed units and the
# system state, then runs the shell text EXTRA, then powers off.
debian_marker() {
        local m=$1 extra=${2:-}
        mkdir -p "$m"
        cat >"$m/pullboot-marker.service" <<'UNIT'
[Unit]
Description=pullboot e2e marker: report the finished boot and power off
After=multi-user.target

[Service]
Type=simple
ExecStart=/usr/local/sbin/pullboot-marker

[Install]
WantedBy=multi-user.target
UNIT
        {
                cat <<'SCRIPT'
#!/bin/sh
exec >/dev/console 2>&1
state=$(timeout 300 systemctl is-system-running --wait)
echo "pullboot-marker: pid1 $(cat /proc/1/comm)"
echo "pullboot-marker: root $(findmnt -n -r -o SOURCE,FSTYPE,OPTIONS /)"
echo "pullboot-marker: multi-user.target $(systemctl is-active multi-user.target)"
failed=$(systemctl list-units --state=failed --plain --no-legend | awk '{ printf "%s ", $1 }')
echo "pullboot-marker: failed units: ${failed:-none}"
for u in $failed; do
        systemctl status --no-pager --lines=10 "$u" | sed 's/^/pullboot-marker: | /'
done
echo "pullboot-marker: system $state"
SCRIPT
                [ -z "$extra" ] || printf '%s\n' "$extra"
                cat <<'SCRIPT'
echo "pullboot-marker: done, powering off"
systemctl poweroff
SCRIPT
        } >"$m/pullboot-marker"
        chmod 0755 "$m/pullboot-marker"
        ln -sf /etc/systemd/system/pullboot-marker.service "$m/wants-link"
}
