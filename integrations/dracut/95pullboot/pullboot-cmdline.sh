#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# pullboot, dracut's cmdline stage (both flavours): accept the roots a pull provides, which dracut
# itself does not know (it refuses to go on otherwise), and without systemd ask dracut's network
# module (if in the image) for the network.

type getarg >/dev/null 2>&1 || . /lib/dracut-lib.sh

if getarg rd.systemd.pull= >/dev/null || [ -n "${CREDENTIALS_DIRECTORY-}" ] || [ -e /sys/firmware/qemu_fw_cfg/by_name/opt/io.systemd.credentials/import.pull ]; then
    case "$root" in
        gpt-auto | bind:/*)
            # pullboot's mount hook mounts it; dracut waits for no device.
            rootok=1
            ;;
    esac
    # dracut's network module (shell flavour) brings the network up only when asked to.
    if [ -z "${DRACUT_SYSTEMD-}" ] && ! getargbool 0 rd.neednet; then
        echo "rd.neednet=1" >/etc/cmdline.d/90-pullboot-neednet.conf
    fi
fi
