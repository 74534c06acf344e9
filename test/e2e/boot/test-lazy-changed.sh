#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Lazy root, the image replaced on the server mid-boot (issue 14): the root's hook reads the
# padding partition a block at a time; as soon as it starts, the test replaces demo.raw (new
# bytes, new ETag). The lazy server's range requests carry If-Range with the first ETag, so the
# next read becomes an I/O error with a log line naming both ETags, never bytes of the new image.
E2E_NAME=boot-lazy-changed
. "$(dirname "$0")/../../helpers/e2e-lib.sh"
. "$(dirname "$0")/lazy-lib.sh"
e2e_begin
e2e_need_tools mkfs.erofs
lazy_need_busybox

cat >"$E2E_WORK/hook" <<'EOH'
#!/bin/busybox sh
# Reads 64 KiB of every MiB of the padding partition, one a second, until a read fails.
bb=/bin/busybox
echo "lazy-test: reading the padding"
i=0
while [ $i -lt 30 ]; do
        if ! $bb dd if=/dev/nbd0p3 of=/dev/null bs=65536 count=1 skip=$((i * 16)) 2>/dev/null; then
                echo "lazy-test: read $i failed"
                exit 0
        fi
        i=$((i + 1))
        $bb sleep 1
done
echo "lazy-test: all reads succeeded"
EOH
chmod +x "$E2E_WORK/hook"

NAME="pullboot e2e lazy changed"
e2e_image raw "$SRV/demo.raw" "$NAME" --fs erofs --add "$BUSYBOX:/bin/busybox" --add "$E2E_WORK/hook:/etc/demo-hook"
lazy_pad "$SRV/demo.raw" 32
e2e_uki "$SRV/demo.efi" 'rd.systemd.pull=raw,machine,verify=no,blockdev,bootorigin:rootdisk:demo.raw root=gpt-auto pullboot.lazy=yes'
# The new version: same size, other padding bytes, another mtime (pullboot-vm's ETag is size-mtime).
cp "$SRV/demo.raw" "$E2E_WORK/new.raw"
lazy_refill "$E2E_WORK/new.raw" 32
touch -d '2001-01-01' "$E2E_WORK/new.raw"

(
        for _ in $(seq 1800); do
                if [ -f "$LOG" ] && grep -q 'lazy-test: reading the padding' "$LOG"; then
                        mv "$E2E_WORK/new.raw" "$SRV/demo.raw"
                        echo "replaced demo.raw on the server"
                        exit 0
                fi
                sleep 0.1
        done
) &
swapper=$!
e2e_vm --serve "$SRV" --boot demo.efi --fail 'Kernel panic'
wait "$swapper" || true
[ "$VM_RC" = 0 ] || e2e_fail "pullboot-vm exited with $VM_RC (want 0: the guest powered off)"

URL=$(e2e_url_base)/demo.efi
e2e_assert_console "$(e2e_banner_regex "$NAME" "$URL")" "the lazily served root did not boot"
e2e_assert_console '^pullboot: lazy: http://[^ ]*/demo\.raw changed on the server \(ETag "[^"]+", now "[^"]+"\): refusing to mix two versions' \
        "no log line naming the ETag change"
e2e_assert_console '^lazy-test: read [0-9]+ failed' "the read after the change did not fail"
e2e_assert_no_console '^lazy-test: all reads succeeded' "every read succeeded although the image changed"
e2e_assert_http '^GET /demo\.raw bytes=[0-9]+-[0-9]+ -> 200, ' "no range request met the changed image"
e2e_phases
echo PASS
