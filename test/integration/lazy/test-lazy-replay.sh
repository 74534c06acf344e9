#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The lazy root's server (initrd/lazy/) against Debian's nginx and the fault-injecting server,
# with lazy-replay playing the kernel's nbd driver: every byte answered is compared with the image.
#   whole image, sparse reads (bytes fetched stay near bytes read), copy-on-write, cut
#   connections (continued from the byte where they broke), the image changed on the server
#   (I/O errors naming the ETag change, never the new bytes), servers that cannot serve ranges
#   safely (refused: the initrd downloads instead; also through lazy_root_start(), whose server
#   process logs the reason once and sends only its verdict), and fill (then the server goes away).
set -u
. "$(dirname "$0")/../pull/lib.sh"
: "${LAZY_REPLAY:?LAZY_REPLAY must point to lazy-replay}"

mkdir -p "$T/srv"
make_raw_image "$T/srv/disk.raw" 16
size=$(stat -c %s "$T/srv/disk.raw")
start_nginx "$T/srv"
start_faultserver "$T/srv"

# replay NAME URL MODE [--fill]: runs lazy-replay, output in $T/NAME.{out,err}; sets RC and the
# numbers of its summary line (READ FETCHED REQUESTS ERRORS MISMATCHES).
replay() {
        local name=$1 url=$2 mode=$3
        shift 3
        RC=0
        "$LAZY_REPLAY" --url "$url" --expect "$T/srv/disk.raw" "$@" "$mode" >"$T/$name.out" 2>"$T/$name.err" || RC=$?
        read -r _ READ _ FETCHED _ REQUESTS _ ERRORS _ MISMATCHES < <(grep '^read ' "$T/$name.out" || echo "read - - - - - - - - -")
}

replay all "$NGINX_URL/disk.raw" all
if [ "$RC" = 0 ] && [ "$READ" = "$size" ] && [ "$MISMATCHES" = 0 ] && [ "$ERRORS" = 0 ]; then
        ok "the whole image read through the server matches ($FETCHED bytes fetched in $REQUESTS requests)"
else
        fail "whole image: rc $RC, read $READ of $size, errors $ERRORS, mismatches $MISMATCHES: $(tail -n 3 "$T/all.err")"
fi
[ "$FETCHED" != - ] && [ "$FETCHED" -le $((size + 4096)) ] && ok "no byte fetched twice for a sequential read" ||
        fail "fetched $FETCHED bytes for a $size-byte image"

replay sparse "$NGINX_URL/disk.raw" sparse
if [ "$RC" = 0 ] && [ "$MISMATCHES" = 0 ] && [ "$ERRORS" = 0 ] && [ "$FETCHED" -le $((size / 8)) ]; then
        ok "sparse reads ($READ bytes) fetched $FETCHED bytes of $size"
else
        fail "sparse reads: rc $RC, read $READ, fetched $FETCHED of $size, errors $ERRORS, mismatches $MISMATCHES"
fi

replay cow "$NGINX_URL/disk.raw" cow
if [ "$RC" = 0 ] && [ "$MISMATCHES" = 0 ] && [ "$ERRORS" = 0 ]; then
        ok "a written block reads back, its neighbours keep the image's bytes"
else
        fail "copy-on-write: rc $RC, errors $ERRORS, mismatches $MISMATCHES: $(tail -n 3 "$T/cow.err")"
fi
cmp -s "$T/srv/disk.raw" <(cat "$T/srv/disk.raw") && ok "the served image is unchanged after the write"

replay drops "$FS_URL/f/after=1,drop=3,ranges/disk.raw" all
if [ "$RC" = 0 ] && [ "$READ" = "$size" ] && [ "$MISMATCHES" = 0 ] && grep -q 'continuing from byte' "$T/drops.err"; then
        ok "three cut responses were continued from the byte where they broke"
else
        fail "cut responses: rc $RC, read $READ of $size, mismatches $MISMATCHES: $(tail -n 3 "$T/drops.err")"
fi

# faultserver's "change": from the second request on, the bytes and ETag of disk.raw.alt.
head -c "$size" /dev/urandom >"$T/srv/disk.raw.alt"
replay change "$FS_URL/f/change,ranges/disk.raw" all
if [ "$MISMATCHES" = 0 ] && [ "$ERRORS" != - ] && [ "$ERRORS" -gt 0 ] &&
   grep -Eq 'changed on the server \(ETag "[^"]+", now "[^"]+"\)' "$T/change.err"; then
        ok "a changed image gives I/O errors ($ERRORS) naming the ETag change, never its new bytes"
else
        fail "changed image: rc $RC, errors $ERRORS, mismatches $MISMATCHES: $(tail -n 3 "$T/change.err")"
fi

replay norange "$FS_URL/f/norange/disk.raw" all
[ "$RC" = 3 ] && grep -q 'ignores range requests' "$T/norange.err" &&
        ok "a server without ranges is refused (the initrd downloads instead)" ||
        fail "no ranges: rc $RC: $(cat "$T/norange.err")"
replay novalidator "$FS_URL/f/novalidator/disk.raw" all
[ "$RC" = 3 ] && grep -q 'no strong ETag or Last-Modified' "$T/novalidator.err" &&
        ok "a server without ETag or Last-Modified is refused" ||
        fail "no validator: rc $RC: $(cat "$T/novalidator.err")"
gzip -c "$T/srv/disk.raw" >"$T/srv/disk.raw.gz"
replay gzip "$NGINX_URL/disk.raw.gz" all
[ "$RC" = 3 ] && grep -q 'gzip streams cannot be read from the middle' "$T/gzip.err" &&
        ok "a compressed image without a seek table is refused with the reason" ||
        fail "gzip image: rc $RC: $(cat "$T/gzip.err")"
replay missing "$NGINX_URL/nothere.raw" all
[ "$RC" = 1 ] && grep -q 'not on the server (HTTP 404)' "$T/missing.err" &&
        ok "a missing image is reported as such" || fail "missing image: rc $RC: $(cat "$T/missing.err")"

# The same refusals through lazy_root_start(), as init sees them: the server process logs its
# reason once and sends its parent only the verdict (-EMEDIUMTYPE: download instead; -ENOENT:
# try the next candidate), which the parent does not repeat.
if [ -n "${LAZY_START:-}" ]; then
        start() {
                RC=0
                "$LAZY_START" "$2" "$T/state" >"$T/start-$1.out" 2>"$T/start-$1.err" || RC=$?
        }
        verdict() {   # NAME RC PHRASE
                local lines
                lines=$(grep -c -- "$3" "$T/start-$1.err")
                if [ "$RC" = 0 ] && grep -qx "rc $2" "$T/start-$1.out" && [ "$lines" = 1 ] &&
                   ! grep -q -e fallback -e '^error ' "$T/start-$1.err"; then
                        ok "lazy_root_start $1: rc $2, the server's reason logged once: $(grep -- "$3" "$T/start-$1.err")"
                else
                        fail "lazy_root_start $1: $(cat "$T/start-$1.out") ($lines lines with '$3'): $(cat "$T/start-$1.err")"
                fi
        }
        start norange "$FS_URL/f/norange/disk.raw"
        verdict norange -124 'lazy: the server of .* ignores range requests'
        start gzip "$NGINX_URL/disk.raw.gz"
        verdict gzip -124 'lazy: .*disk.raw.gz: gzip streams cannot be read from the middle'
        start missing "$NGINX_URL/nothere.raw"
        verdict missing -2 'lazy: .*/nothere.raw is not on the server (HTTP 404)'
fi

# The image replaced on nginx between two halves of a read (a new file: new ETag).
cp "$T/srv/disk.raw" "$T/srv/swap.raw"
"$LAZY_REPLAY" --url "$NGINX_URL/swap.raw" --expect "$T/srv/disk.raw" pause=3 >"$T/swap.out" 2>"$T/swap.err" &
rp=$!
for _ in $(seq 50); do grep -q paused "$T/swap.out" && break; sleep 0.1; done
head -c "$size" /dev/urandom >"$T/srv/swap.new" && touch -d '2001-01-01' "$T/srv/swap.new" && mv "$T/srv/swap.new" "$T/srv/swap.raw"
wait $rp || true
read -r _ READ _ FETCHED _ REQUESTS _ ERRORS _ MISMATCHES < <(grep '^read ' "$T/swap.out" || echo "read - - - - - - - - -")
if [ "$MISMATCHES" = 0 ] && [ "$ERRORS" != - ] && [ "$ERRORS" -gt 0 ] && grep -q 'changed on the server (ETag' "$T/swap.err"; then
        ok "an image replaced on nginx mid-read: $ERRORS I/O errors, no byte of the new file"
else
        fail "image replaced on nginx: errors $ERRORS, mismatches $MISMATCHES: $(tail -n 3 "$T/swap.err")"
fi

# fill: once everything is in memory, the server goes away and the whole image still reads.
cp "$T/srv/disk.raw" "$T/fill/disk.raw" 2>/dev/null || { mkdir -p "$T/fill" && cp "$T/srv/disk.raw" "$T/fill/disk.raw"; }
start_nginx "$T/fill"
fill_pid_nginx=${PIDS##* }
"$LAZY_REPLAY" --url "$NGINX_URL/disk.raw" --expect "$T/srv/disk.raw" --fill fill >"$T/fill.out" 2>"$T/fill.err" &
rp=$!
for _ in $(seq 600); do grep -q filled "$T/fill.out" && break; sleep 0.1; done
kill "$fill_pid_nginx" 2>/dev/null || true
wait $rp
RC=$?
read -r _ READ _ FETCHED _ REQUESTS _ ERRORS _ MISMATCHES < <(grep '^read ' "$T/fill.out" || echo "read - - - - - - - - -")
if [ "$RC" = 0 ] && [ "$ERRORS" = 0 ] && [ "$MISMATCHES" = 0 ] && [ "$READ" -ge "$size" ] &&
   grep -q 'fill complete' "$T/fill.err"; then
        ok "after the fill the whole image reads with the server stopped"
else
        fail "fill: rc $RC, read $READ, errors $ERRORS, mismatches $MISMATCHES: $(tail -n 3 "$T/fill.err")"
fi
finish
