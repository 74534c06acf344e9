# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash
#
# Builds an initramfs-tools initrd with pullboot's hook and boot script into a file, leaving the
# host's boot setup alone: mkinitramfs -d CONFDIR reads initramfs.conf, conf.d/, modules, hooks/
# and scripts/ from CONFDIR instead of /etc/initramfs-tools (its own hooks and scripts still come
# from /usr/share/initramfs-tools, which is only read), and -o writes the image where we say;
# nothing touches /boot. Shared by test/integration/initramfs-tools and the e2e scenarios
# test/e2e/boot/test-initramfs-tools-*.sh.

# itools_check_host KVER: prints why mkinitramfs cannot run here for KVER (empty: it can).
itools_check_host() {
        local kver=$1
        if ! command -v mkinitramfs >/dev/null 2>&1 || ! command -v lsinitramfs >/dev/null 2>&1; then
                echo "mkinitramfs/lsinitramfs are not installed (Debian package initramfs-tools)"
        elif [ ! -f "/lib/modules/$kver/modules.dep" ]; then
                # Without it mkinitramfs would run depmod on the host's /lib/modules.
                echo "no /lib/modules/$kver/modules.dep (the kernel's modules are not installed)"
        elif [ ! -f "/boot/config-$kver" ]; then
                echo "no /boot/config-$kver, which mkinitramfs reads for the compressions the kernel supports"
        fi
}

# itools_mkinitramfs OUT KVER HOOK SCRIPT AGENT LOG [conf.d/pullboot lines...]
# The host's /etc/initramfs-tools copied into a scratch CONFDIR, with MODULES=list: the image then
# holds only what the hooks add, so every module the boot needs must come from pullboot's hook
# (and a build takes a minute, not ten, as MODULES=most does on a busy host).
itools_mkinitramfs() {
        local out=$1 kver=$2 hook=$3 script=$4 agent=$5 log=$6
        shift 6
        local conf rc=0
        conf=$(mktemp -d "${TMPDIR:-/tmp}/pullboot-itools-conf.XXXXXX")
        if [ -f /etc/initramfs-tools/initramfs.conf ]; then
                cp -a /etc/initramfs-tools/. "$conf/"
        else
                printf 'MODULES=list\nBUSYBOX=auto\nCOMPRESS=zstd\n' >"$conf/initramfs.conf"
        fi
        sed -i 's/^MODULES=.*/MODULES=list/' "$conf/initramfs.conf"
        mkdir -p "$conf/hooks" "$conf/scripts" "$conf/conf.d"
        install -m 0755 "$hook" "$conf/hooks/pullboot"
        install -m 0644 "$script" "$conf/scripts/pullboot"
        {
                echo "PULLBOOT_AGENT=$agent"
                local l
                for l in "$@"; do
                        echo "$l"
                done
        } >"$conf/conf.d/pullboot"
        mkinitramfs -d "$conf" -o "$out" "$kver" >"$log" 2>&1 || rc=$?
        rm -rf "$conf"
        return $rc
}

# For the e2e scenarios (after e2e-lib.sh's e2e_require and e2e_setup): the initramfs-tools
# initrd for Debian's kernel ($KVER), built once per build tree and input set and cached next to
# pullboot-mkinitrd's in test/e2e/boot/assets/, as $E2E_INITRD (what e2e_uki embeds). Skips when
# mkinitramfs cannot run here. ITOOLS_BUILD_SECONDS: how long the build took (0: cached).
itools_e2e_initrd() {
        local why hook=$PB_BUILD/integrations/initramfs-tools/pullboot.hook
        local script=$PB_SRC/integrations/initramfs-tools/pullboot.script
        why=$(itools_check_host "$KVER")
        [ -z "$why" ] || e2e_skip "$why"
        [ -f "$hook" ] || e2e_skip "the initramfs-tools hook was not configured: $hook"
        local dir=$PB_BUILD/test/e2e/boot/assets key
        mkdir -p "$dir"
        key=$( { echo "$KVER"; stat -c '%n %s %Y' "/lib/modules/$KVER/modules.dep" /usr/sbin/mkinitramfs
                 sha256sum "$hook" "$script" "$PULLBOOT"
                 find /etc/initramfs-tools -type f -exec sha256sum {} + 2>/dev/null | LC_ALL=C sort; } |
               sha256sum | cut -c1-16)
        E2E_INITRD=$dir/initramfs-tools-$KVER.img
        ITOOLS_BUILD_SECONDS=0
        local t0=$SECONDS
        (
                flock 9
                if [ -s "$E2E_INITRD" ] && [ "$(cat "$E2E_INITRD.key" 2>/dev/null)" = "$key" ]; then
                        exit 0
                fi
                rm -f "$E2E_INITRD" "$E2E_INITRD.key"
                itools_mkinitramfs "$E2E_INITRD.tmp" "$KVER" "$hook" "$script" "$PULLBOOT" "$dir/initramfs-tools.log" || {
                        tail -n 30 "$dir/initramfs-tools.log" >&2
                        exit 1
                }
                mv "$E2E_INITRD.tmp" "$E2E_INITRD"
                echo "$key" >"$E2E_INITRD.key"
                echo "built the initramfs-tools initrd $E2E_INITRD ($(( $(stat -c %s "$E2E_INITRD") / 1024 )) KiB) in $((SECONDS - t0)) s"
        ) 9>"$dir/.lock-initramfs-tools" || e2e_fail "mkinitramfs for $KVER with pullboot's hook failed (log above)"
        # shellcheck disable=SC2034 # read by the scenarios
        ITOOLS_BUILD_SECONDS=$((SECONDS - t0))
}
