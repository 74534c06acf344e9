#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# dracut module "pullboot": boot a root image pulled over HTTP (rd.systemd.pull=, the import.pull
# credential, bootorigin from StubDeviceURL) from an initrd dracut builds.
#  - With dracut's systemd module: pullboot-generator writes the units (pull, attach, sysroot.mount),
#    the network comes from systemd-networkd and network-online.target.
#  - Without systemd: a pre-mount hook runs the same steps (`pullboot-generator --script`), a mount
#    hook mounts the root (`pullboot mount-root`); the network comes from dracut's network module
#    when it is in the image (rd.neednet=1 is set for it), else from `pullboot net`.
# Include it explicitly: add_dracutmodules+=" pullboot " or `dracut --add pullboot`.
# PULLBOOT=/path/to/pullboot in dracut's environment picks the agent to install (default: the one
# in $PATH).

# The agent to copy into the image.
pullboot_binary() {
    if [[ -n ${PULLBOOT-} ]]; then
        echo "$PULLBOOT"
    else
        find_binary pullboot
    fi
}

check() {
    local pb
    pb=$(pullboot_binary)
    if [[ -z $pb ]] || [[ ! -x $dracutsysrootdir$pb && ! -x $pb ]]; then
        derror "pullboot: the pullboot agent is not installed (or set PULLBOOT=/path/to/pullboot)"
        return 1
    fi
    # Only on request: nothing on the host tells that its root will come over the network.
    return 255
}

depends() {
    if dracut_module_included "systemd"; then
        echo systemd-networkd systemd-modules-load
    fi
    return 0
}

installkernel() {
    # Loop devices, the file systems a pulled root uses, efivarfs for the boot origin, and the
    # virtual NICs and disks pullboot-mkinitrd also carries.
    hostonly='' instmods loop efivarfs ext4 erofs squashfs btrfs xfs overlay \
        virtio_pci virtio_net virtio_blk virtio_scsi e1000 e1000e af_packet
}

install() {
    local pb
    pb=$(pullboot_binary)
    inst_binary "$pb" /usr/bin/pullboot
    # https needs the CA bundle, verify=signature gpgv and a keyring; all optional.
    inst_multiple -o /etc/ssl/certs/ca-certificates.crt gpgv \
        /etc/systemd/import-pubring.gpg /usr/lib/systemd/import-pubring.gpg \
        /etc/systemd/import-pubring.pgp /usr/lib/systemd/import-pubring.pgp

    # dracut-cmdline refuses a root= it does not know (bind:, and gpt-auto without systemd).
    inst_hook cmdline 90 "$moddir/pullboot-cmdline.sh"
    if dracut_module_included "systemd"; then
        # The agent is the generator; systemd runs it under this name with its directories.
        mkdir -p "$initdir$systemdutildir/system-generators"
        ln -sf /usr/bin/pullboot "$initdir$systemdutildir/system-generators/pullboot-generator"
        # DHCP on every Ethernet link unless ip= (systemd-network-generator) says otherwise.
        inst_simple "$moddir/90-pullboot.network" "$systemdnetwork/90-pullboot.network"
        mkdir -p "$initdir/usr/lib/modules-load.d"
        printf '%s\n' loop efivarfs >"$initdir/usr/lib/modules-load.d/pullboot.conf"
    else
        inst_hook pre-mount 50 "$moddir/pullboot-pre-mount.sh"
        inst_hook mount 90 "$moddir/pullboot-mount.sh"
        # `pullboot net` (used when dracut's network module is not in the image) runs klibc's
        # DHCP client.
        if [[ -x $dracutsysrootdir/usr/lib/klibc/bin/ipconfig ]]; then
            inst_binary /usr/lib/klibc/bin/ipconfig
            inst_multiple -o /usr/lib/klibc-*.so /lib/klibc-*.so
        fi
    fi
}
