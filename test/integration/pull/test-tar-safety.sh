#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Hostile tarballs (.., absolute names, symlinked parents, hard links out of the tree or through
# symlinks) never write outside TARGET: they fail with nothing at TARGET, and the directory next
# door stays untouched. Absolute symlinks as entries are kept verbatim.
. "$(dirname "$0")/lib.sh"
need_tool python3; need_tool zstd

mkdir -p "$T/work/www" "$T/work/out" "$T/outside"
echo original > "$T/outside/victim"
python3 "$(dirname "$0")/hostile-tars.py" "$T/work/www" "$T/outside"
for f in "$T"/work/www/*.tar; do zstd -q "$f"; done
start_nginx "$T/work/www"
snapshot() { (cd "$T" && find outside work/www -printf '%p %y %s\n' | sort; cat outside/victim) | sha256sum; }
before=$(snapshot)

for name in dotdot dotdot-deep absolute abs-symlink-parent rel-symlink-parent symlink-chain \
            hardlink-absolute hardlink-dotdot hardlink-to-symlink; do
        target="$T/work/out/$name"
        expect_failure "$name" "outside|refus|symlink|Path contains|cannot extract|hard ?link" "$target" \
                "$PULLBOOT" pull --progress=none --type=tar "$NGINX_URL/$name.tar.zst" "$target"
        [ "$(snapshot)" = "$before" ] || fail "$name: something changed outside TARGET"
        [ ! -e "$T/work/escaped" ] && [ ! -e "$T/escaped" ] || fail "$name: escaped file exists"
done

target="$T/work/out/symlink-then-file"
if "$PULLBOOT" pull --progress=none --type=tar "$NGINX_URL/symlink-then-file.tar.zst" "$target" 2> "$T/err"; then
        [ -f "$target/x" ] && [ ! -L "$target/x" ] && [ "$(cat "$target/x")" = inside ] &&
                ok "symlink-then-file: regular file inside" || fail "symlink-then-file: wrong result"
else
        ok "symlink-then-file refused: $(head -1 "$T/err")"
        [ ! -e "$target" ] || fail "symlink-then-file: target left behind"
fi
[ "$(snapshot)" = "$before" ] && ok "symlink-then-file: outside untouched" || fail "symlink-then-file wrote outside"

target="$T/work/out/absolute-symlink-ok"
if "$PULLBOOT" pull --progress=none --type=tar "$NGINX_URL/absolute-symlink-ok.tar.zst" "$target" 2> "$T/err" &&
   [ "$(readlink "$target/etc/localtime")" = /usr/share/zoneinfo/UTC ]; then
        ok "absolute symlink kept verbatim"
else
        fail "absolute symlink entry"; cat "$T/err"
fi
[ -z "$(ls -A "$T/work" | grep -v '^www$\|^out$')" ] || fail "stray files in $T/work: $(ls -A "$T/work")"
finish
