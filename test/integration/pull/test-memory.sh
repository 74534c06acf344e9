#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Bounded memory: compressed headers that ask for gigabytes (zstd --long=31, an xz dictionary of
# 1.5 GiB) on a few dozen KB of download are refused under --max-memory with one clear line, before
# the memory is taken; the peak RSS (GNU time) stays under the limit. The same files with the limit
# raised (what the engine did before it had one) do take that memory: the check is not vacuous.
# pullboot.max-memory= reaches the engine through `pullboot init`.
. "$(dirname "$0")/lib.sh"
need_tool xz; need_tool zstd; need_tool python3
[ -x /usr/bin/time ] || skip "needs GNU time (/usr/bin/time, Debian package time)"

LIMIT_MIB=256
mkdir -p "$T/www" "$T/out"
# 384 MiB of zeros: decoding it fills that much of the window or dictionary.
head -c 384M /dev/zero | zstd -q --long=31 -c > "$T/www/bomb.raw.zst"   # from a pipe: window stays 2 GiB
head -c 384M /dev/zero | xz -T1 -0 -c > "$T/z1.xz"
head -c 384M /dev/zero | xz -T2 -0 --block-size=64MiB -c > "$T/z2.xz"
python3 "$(dirname "$0")/xz-dict.py" "$T/z1.xz" "$T/www/bomb1.raw.xz" 37   # dict=1536MiB
python3 "$(dirname "$0")/xz-dict.py" "$T/z2.xz" "$T/www/bomb2.raw.xz" 37
xz -lvv "$T/www/bomb1.raw.xz" | grep -q 'dict=1536MiB' || fail "the xz bomb does not claim a 1.5 GiB dictionary"
echo "hostile files: $(cd "$T/www" && stat -c '%n %s bytes' bomb*)"
start_nginx "$T/www"

# peak NAME ARGS...: runs pullboot pull under GNU time; exit status in $rc, peak RSS (KiB) in $kib.
peak() {
        local name=$1; shift
        rc=0
        /usr/bin/time -f %M -o "$T/$name.rss" "$PULLBOOT" pull --progress=none "$@" > "$T/$name.log" 2>&1 || rc=$?
        kib=$(tail -1 "$T/$name.rss")
}

for f in bomb.raw.zst bomb1.raw.xz bomb2.raw.xz; do
        target="$T/out/$f"
        peak "$f" --max-memory=${LIMIT_MIB}M "$NGINX_URL/$f" "$target"
        if [ "$rc" = 0 ]; then
                fail "$f: accepted under --max-memory=${LIMIT_MIB}M"
        elif [ -e "$target" ] || ls -A "$T/out" | grep -q '^\.#pull\.'; then
                fail "$f: left something in $T/out: $(ls -A "$T/out")"
        elif ! grep -Eq "needs [0-9.]+ GiB of memory to decompress.*more than the limit of $LIMIT_MIB\.0 MiB; raise the limit with --max-memory=" "$T/$f.log"; then
                fail "$f: message:"; cat "$T/$f.log"
        elif [ "$(grep -c . "$T/$f.log")" != 1 ]; then
                fail "$f: more than one line:"; cat "$T/$f.log"
        elif [ "$kib" -ge $((LIMIT_MIB * 1024)) ]; then
                fail "$f: peak RSS $kib KiB, over the ${LIMIT_MIB} MiB limit"
        else
                ok "$f refused, peak RSS $kib KiB < ${LIMIT_MIB} MiB: $(cat "$T/$f.log")"
        fi
done

# The defence off (a limit above what the files ask for): they really take the memory.
for f in bomb.raw.zst bomb1.raw.xz; do
        peak "$f.nolimit" --max-memory=4G "$NGINX_URL/$f" "$T/out/$f.nolimit"
        if [ "$rc" = 0 ] && [ "$kib" -gt $((LIMIT_MIB * 1024)) ]; then
                ok "$f without the limit: peak RSS $kib KiB (over ${LIMIT_MIB} MiB)"
        else
                fail "$f without the limit: exit $rc, peak RSS $kib KiB; expected success above ${LIMIT_MIB} MiB"
                cat "$T/$f.nolimit.log"
        fi
        rm -f "$T/out/$f.nolimit"
done

# A tar image goes through liblzma's stream decoder: its limit holds too.
expect_failure "xz bomb as --type=tar" "xz stream needs .*memory limit of 64\.0 MiB" "$T/out/tree" \
        "$PULLBOOT" pull --progress=none --type=tar --max-memory=64M "$NGINX_URL/bomb1.raw.xz" "$T/out/tree"
# An ordinary image fits a small limit.
seq 1 200000 > "$T/www/plain.raw"
xz -T2 --block-size=128KiB -c "$T/www/plain.raw" > "$T/www/plain.raw.xz"
zstd -q -c "$T/www/plain.raw" > "$T/www/plain.raw.zst"
for f in plain.raw.xz plain.raw.zst; do
        if "$PULLBOOT" pull --progress=none --max-memory=16M "$NGINX_URL/$f" "$T/out/$f" 2> "$T/p.log" &&
           cmp -s "$T/out/$f" "$T/www/plain.raw"; then
                ok "$f pulled under --max-memory=16M"
        else
                fail "$f under --max-memory=16M"; cat "$T/p.log"
        fi
done
rc=0; "$PULLBOOT" pull --max-memory=lots "$NGINX_URL/plain.raw.xz" "$T/out/x" 2> "$T/u.log" || rc=$?
[ "$rc" = 2 ] && grep -q -- '--max-memory=lots: expected' "$T/u.log" && ok "--max-memory=lots: usage error" ||
        { fail "--max-memory=lots: exit $rc"; cat "$T/u.log"; }

# At boot: pullboot.max-memory= on the kernel command line, and the summary says what to raise.
mkdir -p "$T/boot"
rc=0
"$PULLBOOT" init --dry-run --prefix "$T/boot" --cmdline "rd.systemd.pull=raw,machine,blockdev,verify=no:rootdisk:$NGINX_URL/bomb.raw.zst root=gpt-auto pullboot.net=none pullboot.failure=reboot pullboot.max-memory=64M" > "$T/boot.log" 2>&1 || rc=$?
if [ "$rc" = 1 ] && grep -q 'boot failed: cannot pull .*needs more memory than allowed; raise pullboot.max-memory=' "$T/boot.log" &&
   grep -q 'more than the limit of 64.0 MiB' "$T/boot.log"; then
        ok "boot: $(grep 'boot failed' "$T/boot.log")"
else
        fail "boot with pullboot.max-memory=64M: exit $rc"; cat "$T/boot.log"
fi
rc=0
"$PULLBOOT" init --dry-run --prefix "$T/boot" --cmdline "root=gpt-auto pullboot.net=none pullboot.max-memory=12X" > "$T/boot2.log" 2>&1 || rc=$?
[ "$rc" != 0 ] && grep -q 'pullboot.max-memory=12X: expected' "$T/boot2.log" && ok "pullboot.max-memory=12X rejected" ||
        { fail "pullboot.max-memory=12X: exit $rc"; cat "$T/boot2.log"; }
finish
