#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Issue 13, "Too little RAM": a 1.5 GiB raw image holding 700 MiB of data, pulled into a 512 MiB
# guest's /run. pullboot must refuse it before the download, on one line giving the needed and
# available figures and how much RAM to add, and run the failure action; the server must see no
# request for the image but probes (small closed ranges: the lazy root's and the size probe).
#
# The compression is zstd -1 of random data: the quickest to make (seconds for 1.5 GiB; xz would
# take minutes over 700 MiB), and a file compressed by zstd records the content size in its frame
# header, so the one 4 KiB probe gives both sizes. Random data does not compress, so the lower
# bound (compressed bytes the zeros cannot explain: 700 MiB less 1.5 GiB / 32) is about 650 MiB,
# far above the ~380 MiB the guest's /run has: the refusal does not depend on rounding or on how
# much the kernel takes. The image is built once per build tree (it is 700 MiB) and kept.
E2E_NAME=boot-too-little-ram
. "$(dirname "$0")/../../helpers/e2e-lib.sh"
e2e_begin

ASSETS=$PB_BUILD/test/e2e/boot/assets
IMAGE=$ASSETS/too-little-ram.raw.zst
MiB=1048576
(
        flock 9
        if [ ! -s "$IMAGE" ] || [ "$(cat "$IMAGE.key" 2>/dev/null)" != v1 ]; then
                rm -f "$IMAGE" "$IMAGE.key"
                t0=$SECONDS
                raw=$ASSETS/too-little-ram.raw
                truncate -s 1536M "$raw"
                head -c $((700 * MiB)) /dev/urandom | dd of="$raw" bs=1M seek=64 conv=notrunc status=none
                zstd -q -f -1 -T2 --rm "$raw" -o "$IMAGE.tmp" && mv "$IMAGE.tmp" "$IMAGE"
                echo v1 >"$IMAGE.key"
                echo "built $IMAGE ($(( $(stat -c %s "$IMAGE") / MiB )) MiB) in $((SECONDS - t0)) s"
        fi
) 9>"$ASSETS/.too-little-ram.lock" || e2e_fail "cannot build the test image"
ln "$IMAGE" "$SRV/demo.raw.zst" 2>/dev/null || cp "$IMAGE" "$SRV/demo.raw.zst"

e2e_uki "$SRV/demo.efi" 'rd.systemd.pull=raw,machine,verify=no,blockdev,bootorigin:rootdisk:demo.raw.zst root=gpt-auto'
e2e_vm --serve "$SRV" --boot demo.efi --memory 512 --fail 'Kernel panic' --fail '^pullboot demo: init ran'
[ "$VM_RC" = 0 ] || e2e_fail "pullboot-vm exited with $VM_RC (want 0: the failure action powered the guest off)"

URL=$(e2e_url_base)/demo.raw.zst
line="^pullboot: not enough space in /run/[^ ]* for $(e2e_regex_quote "$URL"): at least ([0-9]+) bytes \([0-9.]+ MiB, at most 1\.5 GiB, [^)]*\) needed, ([0-9]+) bytes \([0-9.]+ MiB\) free( in RAM)?; add at least [0-9.]+ MiB of RAM$"
e2e_assert_console "$line" "no refusal with needed and available figures and the RAM to add"
needed=$(e2e_console | grep -E -- "$line" | sed -E "s/.*at least ([0-9]+) bytes .* needed, ([0-9]+) bytes .*/\1/" | sed -n 1p)
avail=$(e2e_console | grep -E -- "$line" | sed -E "s/.*at least ([0-9]+) bytes .* needed, ([0-9]+) bytes .*/\2/" | sed -n 1p)
[ "$needed" -ge $((600 * MiB)) ] && [ "$needed" -le $((700 * MiB)) ] || e2e_fail "needed $needed is not about 650 MiB"
[ "$avail" -lt $((512 * MiB)) ] || e2e_fail "available $avail is more than the guest has"
echo "ok: needed $((needed / MiB)) MiB, available $((avail / MiB)) MiB"
e2e_assert_console '^pullboot: to hold such an image in RAM at about its compressed size .*erofs.*squashfs.*\.raw.*read-only' \
        "no recommendation of a compressed root served uncompressed"
e2e_assert_console '^pullboot: powering off now' "the failure action (poweroff) did not run"
e2e_assert_no_console '^pullboot: root mounted' "a root was mounted without an image"
e2e_assert_no_console 'is full' "the download started and filled /run"
# The image was asked for its first 4 KiB (the size probe) and, before that, by the lazy root's
# probes (the default tries a verify=no image lazily; a zstd file without a seek table is not
# seekable): small closed ranges only, no other GET.
e2e_assert_console '^pullboot: lazy root \(the default for seekable images\): .*; downloading the whole image instead$' \
        "no line saying why the image is not read lazily"
e2e_assert_http '^GET /demo\.raw\.zst bytes=0-4095 -> 206, 4096 bytes$'
others=$(e2e_http | grep -E '^(GET|HEAD) /demo\.raw\.zst' |
        grep -Evc '^GET /demo\.raw\.zst bytes=[0-9]+-[0-9]+ -> 206, ([0-9]{1,4}|[1-5][0-9]{4}|6[0-5][0-9]{3}) bytes$' || true)
[ "$others" = 0 ] || e2e_fail "the server saw $others requests for more than 64 KiB of the image: $(e2e_http | grep demo.raw.zst)"
echo "ok: the server saw only probes: $(e2e_http | grep -c '^GET /demo\.raw\.zst') small ranges"
e2e_phases
echo PASS
