#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The image store on a local disk as a cache (issue 13): pullboot.store=PARTLABEL=pullboot-store
# on a blank partition of a second virtio disk (--disk), made ext4 by the initrd's mkfs.ext4
# (pullboot.store-format=yes). Three boots on the same disk:
#   1 downloads the image (server log: 200) and boots it (banner "... store v1")
#   2 nothing changed: the conditional request gets 304, the console says the image was reused,
#     the server sends no image bytes, the same root boots
#   3 the image changed on the server (new content, new SHA256SUMS): downloaded again (200) and
#     the new root boots (banner "... store v2")
# The QEMU-free side (a changed SHA256SUMS is not satisfied by a 304, eviction) is
# test/integration/vm/test-store-cache.sh.
E2E_NAME=boot-store-disk
. "$(dirname "$0")/../../helpers/e2e-lib.sh"
e2e_begin

# A GPT disk whose only partition (1 MiB .. 97 MiB) is blank and named pullboot-store.
DISK=$E2E_WORK/store-disk.img
rm -f "$DISK"
truncate -s 98M "$DISK"
printf 'label: gpt\nstart=2048, size=196608, name="pullboot-store"\n' | sfdisk -q "$DISK" >/dev/null ||
        e2e_fail "sfdisk failed for $DISK"

# publish VERSION: the demo root named "pullboot e2e store VERSION", compressed, listed.
publish() {
        rm -f "$SRV/demo.raw.zst"
        e2e_image raw "$SRV/demo.raw" "pullboot e2e store $1"
        e2e_compress "$SRV/demo.raw"
        e2e_sha256sums "$SRV"
}
publish v1
e2e_uki "$SRV/demo.efi" "rd.systemd.pull=raw,machine,verify=checksum,blockdev,bootorigin:rootdisk:demo.raw.zst \
root=gpt-auto pullboot.store=PARTLABEL=pullboot-store pullboot.store-format=yes"

# One port for all three boots: the record holds the image's URL, and a conditional request is
# only made for the URL the image came from. A port nobody listens on, as far as we can tell.
for _ in $(seq 20); do
        PORT=$((20000 + RANDOM % 20000))
        (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null || break
done

# store_boot N VERSION: one boot; the banner must name VERSION.
store_boot() {
        e2e_vm --serve "$SRV" --port "$PORT" --boot demo.efi --disk "$DISK" --memory 768 --fail 'Kernel panic' --fail 'pullboot: boot failed'
        [ "$VM_RC" = 0 ] || e2e_fail "boot $1: pullboot-vm exited with $VM_RC (want 0: the guest powered off)"
        e2e_assert_console "$(e2e_banner_regex "pullboot e2e store $2" "$(e2e_url_base)/demo.efi")" \
                "boot $1 did not run the root of version $2"
        echo "boot $1 took $VM_SECONDS s"
}

store_boot 1 v1
e2e_assert_console '^pullboot: image store: making an ext4 file system on the blank /dev/vd[a-z]1 ' \
        "the blank partition was not formatted"
e2e_assert_console '^pullboot: image store: /dev/vd[a-z]1 \(ext4\) on /run/pullboot/store, kept across boots$'
e2e_assert_http '^GET /demo.raw.zst -> 200, ' "boot 1 did not download the image"
e2e_assert_no_console '^pullboot: reused ' "boot 1 reused an image from a blank store"
e2e_phases
mv "$LOG" "$E2E_WORK/console-1.log"

store_boot 2 v1
e2e_assert_no_console 'making an ext4 file system' "boot 2 formatted the store again"
e2e_assert_console '^pullboot: reused /run/machines/rootdisk.raw from the image store: .* answered 304 Not Modified' \
        "boot 2 did not reuse the image"
e2e_assert_http '^GET /demo.raw.zst -> 304, 0 bytes' "boot 2 made no conditional request that got 304"
[ "$(e2e_count_http '^GET /demo.raw.zst -> 20[06],')" = 0 ] || e2e_fail "boot 2 downloaded the image again"
echo "ok: boot 2 got no image bytes from the server"
mv "$LOG" "$E2E_WORK/console-2.log"

publish v2
store_boot 3 v2
e2e_assert_http '^GET /demo.raw.zst -> 200, ' "boot 3 did not download the changed image"
e2e_assert_no_console '^pullboot: reused ' "boot 3 reused the old image"
echo PASS
