#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Mirrors and mixed versions, against the fault server: a pull fails over to a mirror and resumes
# there only under the same ETag (else restarts), a mirror that lacks the image is dropped without
# making it "missing", and a server that answers Range despite an If-Range naming another version
# cannot splice two versions into one image.
. "$(dirname "$0")/../pull/lib.sh"
need_tool xz

mkdir -p "$T/www" "$T/other" "$T/empty" "$T/out"
make_raw_image "$T/www/image.raw" 6
xz -T2 --block-size=1MiB -k -c "$T/www/image.raw" > "$T/www/image.raw.xz"
make_raw_image "$T/alt.raw" 6
xz -T2 -c "$T/alt.raw" > "$T/www/image.raw.xz.alt"
want=$(sha256sum < "$T/www/image.raw")
want_alt=$(sha256sum < "$T/alt.raw")
# The same bytes with another modification time: another ETag.
cp "$T/www/image.raw.xz" "$T/other/image.raw.xz"
touch -d '2001-01-01' "$T/other/image.raw.xz"

# Starts a fault server for $1, logging to $2; sets URL (not in a subshell: cleanup must know the pid).
server() {
        rm -f "$2.port"
        "$FAULTSERVER" --root "$1" --port-file "$2.port" --log "$2" > /dev/null 2>&1 &
        PIDS="$PIDS $!"
        echo "$!" > "$2.pid"
        local i=0
        while [ ! -s "$2.port" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
        URL="http://127.0.0.1:$(cat "$2.port")"
}
server "$T/www" "$T/a.log"; A=$URL
server "$T/www" "$T/b.log"; B=$URL
server "$T/other" "$T/c.log"; C=$URL
server "$T/empty" "$T/e.log"; E=$URL
pull() { "$PULLBOOT" pull --progress=none --retry-delay=20 "$@"; }
same() { [ "$(sha256sum < "$1")" = "$2" ]; }

# 1. The primary dies mid-transfer; the mirror has the same file (same ETag): resume there.
pull --mirror="$B" "$A/f/rate=1500000/image.raw.xz" "$T/out/1.raw" 2> "$T/1.log" &
p=$!
sleep 1
kill "$(cat "$T/a.log.pid")"
if wait $p && same "$T/out/1.raw" "$want"; then ok "primary died: the mirror finished the image"; else fail "failover"; cat "$T/1.log"; fi
grep -q 'range bytes=[1-9][0-9]*- (if-range) -> 206' "$T/b.log" && ok "the mirror continued the transfer (206 to If-Range)" ||
        { fail "the mirror was not asked for the rest"; cat "$T/b.log"; }
server "$T/www" "$T/a.log"; A=$URL

# 2. The mirror's copy has another ETag: it answers the whole file and the pull restarts there.
pull --mirror="$C" "$B/f/rate=1500000/image.raw.xz" "$T/out/2.raw" 2> "$T/2.log" &
p=$!
sleep 1
kill "$(cat "$T/b.log.pid")"
if wait $p && same "$T/out/2.raw" "$want"; then ok "mirror with another ETag: restarted, correct image"; else fail "restart on mirror"; cat "$T/2.log"; fi
grep -q 'range bytes=[1-9][0-9]*- (if-range) -> 200' "$T/c.log" && ok "the mirror answered the guarded range with the whole file" ||
        { fail "no whole-file answer from the mirror"; cat "$T/c.log"; }

# 3. A mirror without the image is dropped; the primary's 500 is retried, the pull succeeds.
if pull --mirror="$E/pub" "$A/f/status=500,statusn=1/image.raw.xz" "$T/out/3.raw" 2> "$T/3.log" &&
   same "$T/out/3.raw" "$want" && grep -q "mirror $E/pub/f/status=500,statusn=1/image.raw.xz cannot serve it" "$T/3.log"; then
        ok "a mirror's 404 drops the mirror, not the pull"
else
        fail "mirror 404"; cat "$T/3.log"
fi

# 4. The primary is unreachable from the start: the mirror serves it all.
if pull --mirror="$A" "http://127.0.0.1:1/image.raw.xz" "$T/out/4.raw" 2> "$T/4.log" && same "$T/out/4.raw" "$want"; then
        ok "unreachable primary: served by the mirror"
else
        fail "unreachable primary"; cat "$T/4.log"
fi

# 5. A server that changed the file and ignores If-Range answers 206 with the new version's bytes:
# refused (ETag differs), the pull restarts and gets the new version whole, never a mix.
if pull "$A/f/change,ignoreifrange,dropat=300000/image.raw.xz" "$T/out/5.raw" 2> "$T/5.log" &&
   same "$T/out/5.raw" "$want_alt"; then
        ok "206 of another version refused: $(grep -o 'answered the rest of the image with ETag.*' "$T/5.log" | head -1)"
else
        fail "mixed versions"; cat "$T/5.log"
fi

# 6. Usage errors.
rc=0; "$PULLBOOT" pull --mirror='http://x/?q' "$A/image.raw.xz" "$T/out/6.raw" 2> "$T/6.log" || rc=$?
[ $rc = 2 ] && ok "--mirror with a query: usage error" || fail "--mirror with a query: exit $rc"
rc=0; "$PULLBOOT" pull --jitter=3601 "$A/image.raw.xz" "$T/out/6.raw" 2> "$T/6.log" || rc=$?
[ $rc = 2 ] && ok "--jitter=3601: usage error" || fail "--jitter=3601: exit $rc"
s=$(date +%s.%N)
pull --jitter=1 "$A/image.raw.xz" "$T/out/7.raw" 2> "$T/7.log" && grep -q "before the first request (random in 0..1 s" "$T/7.log" &&
        ok "--jitter=1: $(grep -o 'waiting [0-9.]* s before the first request' "$T/7.log")" || { fail "--jitter"; cat "$T/7.log"; }

finish
