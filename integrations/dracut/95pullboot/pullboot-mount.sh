#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# pullboot (dracut without systemd), mount stage: mount a root that a pull provided (gpt-auto:
# the DPS root partition of the "rootdisk" image, bind: a tar image's directory) on $NEWROOT.

type getarg >/dev/null 2>&1 || . /lib/dracut-lib.sh

case "$root" in
    gpt-auto | bind:/*)
        if ! ismounted "$NEWROOT"; then
            /usr/bin/pullboot mount-root --where "$NEWROOT" ||
                die "pullboot: cannot mount root=$root on $NEWROOT; see the message above"
        fi
        ;;
esac
