#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# pullboot (dracut without systemd), pre-mount stage: pull and attach the images the kernel
# command line (and the import.pull credential) name, as pullboot-generator's units would.

type getarg >/dev/null 2>&1 || . /lib/dracut-lib.sh

pullboot_failed() {
    warn "pullboot: $1"
    case "$PULLBOOT_FAILURE_ACTION" in
        poweroff*) echo "pullboot: powering off (rd.systemd.pull.failure_action=$PULLBOOT_FAILURE_ACTION)" >/dev/kmsg; poweroff -f ;;
        reboot*) echo "pullboot: rebooting (rd.systemd.pull.failure_action=$PULLBOOT_FAILURE_ACTION)" >/dev/kmsg; reboot -f ;;
        halt*) halt -f ;;
    esac
    die "pullboot: $1"
}

modprobe -q loop
# The boot origin (StubDeviceURL) is an EFI variable; dracut without systemd does not mount them.
if [ -d /sys/firmware/efi ] && ! ismounted /sys/firmware/efi/efivars; then
    modprobe -q efivarfs
    mount -t efivarfs efivarfs /sys/firmware/efi/efivars || warn "pullboot: cannot mount efivarfs; the boot origin will be unknown"
fi

if ! /usr/bin/pullboot generator --script --pullboot /usr/bin/pullboot >/tmp/pullboot-steps.sh; then
    die "pullboot: cannot plan the pulls; see the messages above"
fi

# Without dracut's network module (no DHCP client on the build host) the agent brings it up, when
# some step downloads (a shell loop: the image may have no grep).
pullboot_needs_net=
while read -r pullboot_line; do
    case "$pullboot_line" in
        "'/usr/bin/pullboot' 'pull' "*) pullboot_needs_net=1 ;;
    esac
done </tmp/pullboot-steps.sh
if ! [ -e /lib/net-lib.sh ] && [ -n "$pullboot_needs_net" ]; then
    info "pullboot: bringing up the network (pullboot net)"
    /usr/bin/pullboot net || die "pullboot: network bring-up failed; see the messages above"
fi

pullboot_run_steps() {
    . /tmp/pullboot-steps.sh
}
pullboot_run_steps
