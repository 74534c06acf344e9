#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The lazy root's server behind the host kernel's nbd driver, without QEMU: lazy-replay connects
# a free /dev/nbdN to itself, serving an image from nginx, and reads the whole device back
# through the kernel. Needs root and the nbd module (many CI kernels lack it: then SKIP, loudly).
set -u
. "$(dirname "$0")/../pull/lib.sh"
: "${LAZY_REPLAY:?LAZY_REPLAY must point to lazy-replay}"
need_root "nbd devices"
if ! modprobe nbd 2>"$T/modprobe.err" && [ ! -e /sys/block/nbd0 ]; then
        skip "the running kernel $(uname -r) has no nbd driver ($(tail -n 1 "$T/modprobe.err")); the e2e boot-lazy-* scenarios cover the driver in the guest kernel"
fi
mkdir -p "$T/srv"
make_raw_image "$T/srv/disk.raw" 8
size=$(stat -c %s "$T/srv/disk.raw")
start_nginx "$T/srv"
RC=0
"$LAZY_REPLAY" --url "$NGINX_URL/disk.raw" --expect "$T/srv/disk.raw" kernel >"$T/out" 2>"$T/err" || RC=$?
if [ "$RC" = 0 ] && grep -q "^read $size " "$T/out" && grep -q 'through the kernel' "$T/out"; then
        ok "the whole device read through the kernel matches the image ($(grep '^read ' "$T/out"))"
else
        fail "through the kernel: rc $RC: $(cat "$T/out" "$T/err" | tail -n 5)"
fi
finish
