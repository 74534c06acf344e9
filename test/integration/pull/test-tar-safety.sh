#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Hostile tarballs (.., absolute names, symlinked parents, hard links out of the tree or through
# symlinks, setuid through a hard link, a device node written through) never change anything
# outside TARGET. Each case is first shown to escape with a naive extractor (GNU tar -xP
# --overwrite, bsdtar -xP, or Python's tarfile with its checks off) from a directory as deep as
# pullboot's temporary, so the case can fail; then pullboot must refuse it (or unpack it harmlessly)
# with nothing changed anywhere under $T but its own TARGET. Absolute symlinks are kept verbatim.
. "$(dirname "$0")/lib.sh"
need_root "restoring owners and device nodes, and confining the extractor"
need_tool python3; need_tool zstd; need_tool tar; need_tool bsdtar; need_tool losetup

# $T/work/out/.#pull.NAME.XXXXXX (pullboot) and $T/work/naive/NAME are both three levels below $T.
mkdir -p "$T/work/www" "$T/work/out" "$T/work/naive" "$T/outside"
truncate -s 1M "$T/outside/disk.img"
LOOP=$(losetup -f --show "$T/outside/disk.img") || skip "no loop device"
trap 'losetup -d "$LOOP"; cleanup' EXIT
devno=$(stat -c '%t:%T' "$LOOP")
python3 "$(dirname "$0")/hostile-tars.py" "$T/work/www" "$T/outside" ../../../outside \
        "$((0x${devno%:*})):$((0x${devno#*:}))"
for f in "$T"/work/www/*.tar; do zstd -q "$f"; done

reset_outside() {
        rm -rf "$T/outside/escaped" "$T/work/naive" "$T/work/escaped" "$T/escaped"
        mkdir -p "$T/work/naive"
        echo original > "$T/outside/victim"; chmod 0644 "$T/outside/victim"
        dd if=/dev/zero of="$LOOP" bs=64K count=1 conv=fsync status=none
}
# Everything under $T an extraction could reach, except the extraction directory $1 itself and
# the servers' logs: names, types, modes, sizes and link counts (not of directories: TARGET
# itself adds one), and the victim's and the disk's bytes.
snapshot() {
        blockdev --flushbufs "$LOOP"
        (cd "$T" && find . -path "./$1" -prune -o -path ./nginx -prune -o -name '*.log' -prune -o \
                -path ./err -prune -o -type d -printf '%p d %m\n' -o -printf '%p %y %s %n %m\n' | sort
         cat outside/victim; head -c 64K "$LOOP" | sha256sum) | sha256sum
}
naive_escapes() { # NAME: prints the first naive extractor that changes something outside
        local name=$1 tool before
        for tool in "tar -xP --overwrite" "bsdtar -xP" "tarfile"; do
                reset_outside; mkdir -p "$T/work/naive/$name"
                before=$(snapshot "work/naive/$name")
                if [ "$tool" = tarfile ]; then
                        python3 "$(dirname "$0")/naive-untar.py" "$T/work/www/$name.tar" "$T/work/naive/$name" 2>/dev/null || true
                else
                        $tool -f "$T/work/www/$name.tar" -C "$T/work/naive/$name" 2>/dev/null || true
                fi
                if [ "$(snapshot "work/naive/$name")" != "$before" ]; then echo "$tool"; return 0; fi
        done
        return 1
}

start_nginx "$T/work/www"
for name in dotdot dotdot-deep absolute abs-symlink-parent rel-symlink-parent symlink-chain \
            hardlink-absolute hardlink-dotdot hardlink-to-symlink setuid-via-hardlink; do
        if tool=$(naive_escapes "$name"); then ok "$name escapes with $tool"
        else fail "$name: no naive extractor escapes, so this case cannot fail"; fi
        reset_outside
        before=$(snapshot "work/out/$name")
        target="$T/work/out/$name"
        expect_failure "$name refused" "outside|refus|symlink|Path contains|cannot extract|hard ?link" "$target" \
                "$PULLBOOT" pull --progress=none --type=tar "$NGINX_URL/$name.tar.zst" "$target"
        [ "$(snapshot "work/out/$name")" = "$before" ] && ok "$name: nothing changed outside TARGET" ||
                fail "$name: something changed outside TARGET"
done

# Cases a careful extractor may unpack: the result must stay inside, and nothing outside changes.
for name in symlink-then-file device-node; do
        if tool=$(naive_escapes "$name"); then ok "$name escapes with $tool"
        else fail "$name: no naive extractor escapes, so this case cannot fail"; fi
        reset_outside
        before=$(snapshot "work/out/$name")
        target="$T/work/out/$name"
        if "$PULLBOOT" pull --progress=none --type=tar "$NGINX_URL/$name.tar.zst" "$target" 2> "$T/err"; then
                f=$target/x; [ "$name" = device-node ] && f=$target/disk
                [ -f "$f" ] && [ ! -L "$f" ] && grep -qx 'inside\|pwned' "$f" &&
                        ok "$name: a regular file inside" || fail "$name: wrong result: $(ls -l "$f")"
        else
                ok "$name refused: $(head -1 "$T/err")"
                [ ! -e "$target" ] || fail "$name: target left behind"
        fi
        [ "$(snapshot "work/out/$name")" = "$before" ] && ok "$name: nothing changed outside TARGET" ||
                fail "$name: something changed outside TARGET"
        rm -rf "$target"
done

target="$T/work/out/absolute-symlink-ok"
if "$PULLBOOT" pull --progress=none --type=tar "$NGINX_URL/absolute-symlink-ok.tar.zst" "$target" 2> "$T/err" &&
   [ "$(readlink "$target/etc/localtime")" = /usr/share/zoneinfo/UTC ]; then
        ok "absolute symlink kept verbatim"
else
        fail "absolute symlink entry"; cat "$T/err"
fi
[ -z "$(ls -A "$T/work/out" | grep -v '^absolute-symlink-ok$')" ] || fail "stray files in $T/work/out: $(ls -A "$T/work/out")"
[ -z "$(ls -A "$T/work" | grep -v '^www$\|^out$\|^naive$')" ] || fail "stray files in $T/work: $(ls -A "$T/work")"
finish
