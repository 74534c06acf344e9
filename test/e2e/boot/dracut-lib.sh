# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash
#
# Shared by the dracut scenarios (test-dracut-*.sh, issue 15): an initrd built by Debian's dracut
# 059 (unpacked by test/helpers/dracut-tree, never installed) with the module 95pullboot from
# integrations/dracut, in dracut's systemd flavour (pullboot-generator, systemd-networkd) or its
# shell flavour (hooks). Sourced after e2e-lib.sh; replaces e2e_initrd's $E2E_INITRD.

DRACUT_LIB_VERSION=1

# dracut_initrd systemd|shell: builds (or takes from the cache) the initrd and sets E2E_INITRD,
# DRACUT_INITRD_KIB and DRACUT_BUILD_SECONDS (0 when cached).
dracut_initrd() {
        local flavour=$1 dir=$PB_BUILD/test/e2e/boot/assets
        local modules omit
        case $flavour in
        systemd)
                # dracut-systemd brings systemd, systemd-initrd, udev and journald; pullboot brings
                # systemd-networkd and systemd-modules-load.
                modules="base dracut-systemd pullboot" omit="" ;;
        shell)
                # Debian's dracut-network adds ifcfg (and so network) by default; without systemd
                # that needs dhclient, which the build host may lack: pullboot net does the DHCP.
                modules="base udev-rules pullboot"
                omit="systemd systemd-initrd dracut-systemd systemd-networkd network ifcfg" ;;
        shell-net)
                # The same with dracut's own network module (network-legacy: dhclient), as a
                # distribution's dracut initrd has it; 95pullboot then leaves the network to it.
                modules="base udev-rules network-legacy pullboot"
                omit="systemd systemd-initrd dracut-systemd systemd-networkd" ;;
        *) e2e_fail "dracut_initrd: unknown flavour $flavour" ;;
        esac

        local dracut rc=0
        dracut=$("$PB_SRC/test/helpers/dracut-tree" "$dir/dracut") || rc=$?
        [ "$rc" = 0 ] || { [ "$rc" = 77 ] && e2e_skip "Debian's dracut is not available (see above)"; e2e_fail "dracut-tree failed"; }

        local base=$dir/dracut-base-$flavour tree
        tree=$(dirname "$dracut")/usr/lib/dracut
        local key
        # DRACUT_LIB_VERSION: bump it when the dracut command line below changes.
        key=$( { echo "$DRACUT_LIB_VERSION $flavour $KVER $modules / $omit"; cat "$dir/dracut/key" 2>/dev/null
                 stat -c '%n %s %Y' "$KERNEL" "/lib/modules/$KVER/modules.dep"
                 sha256sum "$PULLBOOT" "$PB_SRC"/integrations/dracut/95pullboot/*; } | sha256sum | cut -c1-16)
        E2E_INITRD=$dir/dracut-$flavour-$KVER.img
        DRACUT_BUILD_SECONDS=0
        (
                flock 9
                if [ -s "$E2E_INITRD" ] && [ "$(cat "$E2E_INITRD.key" 2>/dev/null)" = "$key" ]; then
                        exit 0
                fi
                rm -f "$E2E_INITRD" "$E2E_INITRD.key"
                local t0=$SECONDS f
                # dracut finds modules below $dracutbasedir only: a private base directory of
                # links to the unpacked dracut's, plus 95pullboot from the source tree.
                rm -rf "$base"
                mkdir -p "$base/modules.d"
                for f in "$tree"/*; do
                        [ "$(basename "$f")" = modules.d ] || ln -s "$f" "$base/"
                done
                ln -s "$tree"/modules.d/* "$base/modules.d/"
                ln -s "$PB_SRC/integrations/dracut/95pullboot" "$base/modules.d/95pullboot"
                # No host-only detection (the host is not the guest), no microcode, zstd as
                # pullboot-mkinitrd; only the modules named and what they depend on.
                PULLBOOT=$PULLBOOT dracutbasedir=$base "$(dirname "$dracut")/usr/bin/dracut" \
                        --conf /dev/null --confdir "$(dirname "$dracut")/etc/dracut.conf.d" \
                        --no-hostonly --no-hostonly-cmdline --no-early-microcode --compress zstd \
                        --kver "$KVER" --modules "$modules" ${omit:+--omit "$omit"} --force \
                        "$E2E_INITRD" >"$dir/dracut-$flavour.log" 2>&1 || {
                        tail -n 30 "$dir/dracut-$flavour.log" >&2
                        exit 1
                }
                echo "$key" >"$E2E_INITRD.key"
                echo "$((SECONDS - t0))" >"$E2E_INITRD.seconds"
                echo "built the dracut ($flavour) initrd $E2E_INITRD ($(( $(stat -c %s "$E2E_INITRD") / 1024 )) KiB) in $((SECONDS - t0)) s"
        ) 9>"$dir/.dracut-$flavour.lock" || e2e_fail "dracut ($flavour) failed (log above, all of it in $dir/dracut-$flavour.log)"
        DRACUT_INITRD_KIB=$(( $(stat -c %s "$E2E_INITRD") / 1024 ))
        DRACUT_BUILD_SECONDS=$(cat "$E2E_INITRD.seconds" 2>/dev/null || echo 0)
        grep -q "pullboot" <(zstdcat "$E2E_INITRD" 2>/dev/null | cpio -it 2>/dev/null) ||
                e2e_fail "the dracut initrd holds no pullboot (was 95pullboot included? see $dir/dracut-$flavour.log)"
        echo "dracut ($flavour) initrd: $DRACUT_INITRD_KIB KiB (build: ${DRACUT_BUILD_SECONDS} s, 0 when cached)"
}

# dracut_phases SYSTEMD_OR_SHELL: per-phase times from the markers these initrds print, in the
# format of e2e_phases (same table, same .tsv): the initrd's start, network online, the image
# pulled, the root mounted, the root's init.
dracut_phases() {
        local t0 tk ts tn td tr ti
        t0=$(e2e_time_of 'pullboot-vm: QEMU started')
        tk=$(e2e_time_of '^EFI stub: |Linux version|Decompressing Linux')
        if [ "$1" = systemd ]; then
                ts=$(e2e_time_of 'systemd\[1\]: |Welcome to|Run /init as init process')
                tn=$(e2e_time_of 'Reached target .*Network is Online')
                td=$(e2e_time_of 'Finished pullboot-pull-')
                tr=$(e2e_time_of 'Mounted sysroot\.mount')
        else
                # dracut's shell init prints nothing at loglevel=4: its start is not seen, the
                # network phase counts from the kernel's start.
                ts=
                tn=$(e2e_time_of '^IFNAME=|pullboot: bringing up the network')
                td=$(e2e_time_of '^pull: .*done')
                tr=$(e2e_time_of '^/dev/loop.* /sysroot ')
        fi
        ti=$(e2e_time_of '^pullboot demo: init ran')
        local row
        row=$(awk -v n="$E2E_NAME" -v t0="$t0" -v tk="$tk" -v ts="$ts" -v tn="$tn" -v td="$td" -v tr="$tr" -v ti="$ti" '
                function d(a, b) { return (a == "" || b == "") ? "-" : sprintf("%.1f", b - a) }
                BEGIN {
                        prev = (ts != "") ? ts : tk
                        net = d(prev, tn); if (tn != "") prev = tn
                        dl = d(prev, td); if (td != "") prev = td
                        last = ti
                        if (last == "") last = tr
                        if (last == "") last = prev
                        printf "%-26s %9s %7s %8s %9s %6s %6s %7s\n", n, d(t0, tk), d(tk, ts), net, dl,
                               d(prev, tr), d(tr, ti), d(t0, last)
                }')
        echo "$E2E_PHASE_HEADER"
        echo "$row"
        mkdir -p "$PB_BUILD/test/e2e/boot/phases"
        echo "$row" >"$PB_BUILD/test/e2e/boot/phases/$E2E_NAME.tsv"
        echo "dracut initrd size: $DRACUT_INITRD_KIB KiB"
}

# dracut_image TYPE OUT NAME: e2e_image with an os-release, without which systemd's switch-root
# refuses the root ("not an OS tree"); pullboot's own init does not ask for one.
dracut_image() {
        printf 'ID=pullboot-demo\nNAME="pullboot demo root"\n' >"$E2E_WORK/os-release"
        e2e_image "$@" --add "$E2E_WORK/os-release:/usr/lib/os-release"
}
