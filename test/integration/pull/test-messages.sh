#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# What the log says matches what happened: "resuming from byte N" only when the server honoured a
# Range request (206), "restarting from byte 0" when it gave no ETag/Last-Modified to guard one, and
# "starting over" when it ignored the Range; an image missing on the server under verify=checksum or
# verify=signature is reported as missing (HTTP 404), by `pullboot pull` and in the boot summary,
# not as a verification failure.
. "$(dirname "$0")/lib.sh"
need_tool zstd

mkdir -p "$T/www/sums" "$T/www/bare" "$T/out"
head -c 2000000 /dev/urandom > "$T/www/image.raw"
zstd -q -c "$T/www/image.raw" > "$T/www/sums/image.raw.zst"
(cd "$T/www/sums" && sha256sum image.raw.zst > SHA256SUMS && echo "not a signature" > SHA256SUMS.gpg)
start_faultserver "$T/www"

pull() { "$PULLBOOT" pull --progress=none --retry-delay=10 "$@"; }

# retried NAME SPEC: pulls image.raw through the fault SPEC; log in $T/NAME.log.
retried() {
        local name=$1 spec=$2
        if pull "$FS_URL/f/$spec/image.raw" "$T/out/$name" 2> "$T/$name.log" && cmp -s "$T/out/$name" "$T/www/image.raw"; then
                return 0
        fi
        fail "$name: pull failed"; cat "$T/$name.log"
        return 1
}

if retried guarded "dropat=300000"; then
        if grep -q "resuming $FS_URL/f/dropat=300000/image.raw from byte 300000" "$T/guarded.log" &&
           grep -q 'dropat=300000/image.raw range bytes=300000- (if-range) -> 206' "$T/fs.log"; then
                ok "honoured range: $(grep resuming "$T/guarded.log")"
        else
                fail "honoured range: log:"; cat "$T/guarded.log"
        fi
fi
if retried novalidator "novalidator,dropat=300000"; then
        if grep -q "restarting $FS_URL/f/novalidator,dropat=300000/image.raw from byte 0 (the server gave no ETag/Last-Modified" "$T/novalidator.log" &&
           ! grep -q 'resuming\|from byte 300000' "$T/novalidator.log" &&
           ! grep -q 'novalidator,dropat=300000/image.raw range bytes=[0-9]*- ' "$T/fs.log"; then
                ok "no validator: $(grep restarting "$T/novalidator.log")"
        else
                fail "no validator: log:"; cat "$T/novalidator.log"; grep novalidator "$T/fs.log"
        fi
fi
if retried norange "norange,dropat=300000"; then
        if grep -q 'sent the whole image instead of the rest .*starting over' "$T/norange.log" &&
           ! grep -q resuming "$T/norange.log"; then
                ok "range ignored: $(grep 'starting over' "$T/norange.log")"
        else
                fail "range ignored: log:"; cat "$T/norange.log"
        fi
fi

# A missing image under verification: not found, not "verification failed". The keyring must
# exist (a missing one is refused before any request, below); its contents never get used here.
printf 'placeholder keyring\n' >"$T/some.pgp"
for v in checksum; do
        for dir in sums bare; do
                expect_failure "verify=$v, missing image ($dir)" "nothere.raw.zst does not exist \(HTTP 404" "$T/out/m" \
                        pull --verify=$v --keyring="$T/some.pgp" "$FS_URL/$dir/nothere.raw.zst" "$T/out/m"
        done
done
# A missing keyring is not a missing image.
expect_failure "verify=signature, missing keyring" "cannot read the keyring" "$T/out/m" \
        pull --verify=signature --keyring="$T/none.pgp" "$FS_URL/sums/image.raw.zst" "$T/out/m"
grep -q 'does not exist' "$T/out.log" && fail "missing keyring called a missing image"
# An image that exists but is not listed is still a verification failure.
cp "$T/www/sums/image.raw.zst" "$T/www/sums/unlisted.raw.zst"
expect_failure "verify=checksum, unlisted image" "does not list 'unlisted.raw.zst'" "$T/out/m" \
        pull --verify=checksum "$FS_URL/sums/unlisted.raw.zst" "$T/out/m"
grep -q 'does not exist' "$T/out.log" && fail "unlisted image called missing"

# The boot summary, as with verify=no.
mkdir -p "$T/boot"
rc=0
"$PULLBOOT" init --dry-run --prefix "$T/boot" --cmdline "rd.systemd.pull=raw,machine,blockdev,verify=checksum:rootdisk:$FS_URL/sums/nothere.raw.zst root=gpt-auto pullboot.net=none pullboot.failure=reboot" > "$T/boot.log" 2>&1 || rc=$?
if [ "$rc" = 1 ] && grep -q "^pullboot: boot failed: cannot pull $FS_URL/sums/nothere.raw.zst (rd.systemd.pull): not found on the server" "$T/boot.log"; then
        ok "boot summary: $(grep 'boot failed' "$T/boot.log")"
else
        fail "boot summary with verify=checksum: exit $rc"; cat "$T/boot.log"
fi
finish
