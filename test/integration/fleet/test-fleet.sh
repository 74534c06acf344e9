#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# A small fleet (issue 16): 8 `pullboot pull` clients, one 32 MiB image, behind two rack caches and
# a regional cache (nginx proxy_cache + slice) in front of a rate-limited origin. The origin answers
# 503 + Retry-After for the first seconds, then drops every connection once, and one rack cache
# (a client's primary, the others' mirror) dies in the middle. Asserts: 8 byte-identical images,
# 0 failures, origin bytes <= 1.1x the image, every client asked with the same URL and headers,
# resumes used Range + If-Range, the 503s at the origin never exceeded one per client per
# Retry-After window. Then shows that those checks can fail: without the cache the origin sends
# ~8x, and with no Retry-After to honour the 503 rate breaks the bound.
. "$(dirname "$0")/../pull/lib.sh"
. "$(dirname "$0")/fleet-lib.sh"
need_root "nginx workers as root, kill -9 of servers"
need_tool nginx; need_tool zstd; need_tool curl

N=8
RA=2            # Retry-After of the storm, seconds
STORM=4         # seconds of storm after the clients start
trap 'fleet_cleanup; cleanup' EXIT

# nginx's limit_rate lets the first second's worth of each response through at once, so it only
# slows a slice larger than the rate: 4 MiB slices at 2 MiB/s take about a second each at the
# origin, and every client streams no faster than that (a 1 MiB slice at 8 MiB/s took 5 ms: the
# faults below then came after the last slice and, at random, interrupted nobody).
fleet_start "$T/fleet" 2m 4m "$RA" || exit 1
W="$T/fleet/www"
mkdir -p "$W/img" "$T/out"
# 32 MiB: three quarters random (so the download is ~24 MiB), the rest zeros.
{ head -c $((24 * 1024 * 1024)) /dev/urandom; head -c $((8 * 1024 * 1024)) /dev/zero; } > "$T/root.raw"
zstd -q -1 -c "$T/root.raw" > "$W/img/root.raw.zst"
want=$(sha256sum < "$T/root.raw" | cut -d' ' -f1)
# The digest is pinned (as verify=sha256: in a signed UKI's command line): a checksum list would come
# from each client's first URL only, never from a mirror, and rack2 dies before some have read it.
digest=$(sha256sum < "$W/img/root.raw.zst" | cut -d' ' -f1)
size=$(stat -c %s "$W/img/root.raw.zst")

# Starts client $1 against primary $2 with mirror $3; its exit status lands in $T/out/c$1.rc and
# its wall time in $T/out/c$1.time.
client() {
        local i=$1 primary=$2 mirror=$3; shift 3
        (
                s=$(date +%s.%N)
                rc=0
                "$PULLBOOT" pull --progress=none --verify=sha256:$digest --jitter=1 --retry-delay=200 \
                        --mirror="$mirror" "$@" "$primary/img/root.raw.zst" "$T/out/c$i.raw" \
                        2> "$T/out/c$i.log" || rc=$?
                echo "$rc" > "$T/out/c$i.rc"
                calc "$(date +%s.%N) - $s" > "$T/out/c$i.time"
        ) &
        CLIENTS="$CLIENTS $!"
}

# Waits for the clients only (the servers are children too).
wait_clients() {
        for p in $CLIENTS; do wait "$p" || true; done
        CLIENTS=""
}
CLIENTS=""

# --- the fleet, with a storm, drops and a dying mirror
fleet_storm on
for i in $(seq 1 $N); do
        if [ $((i % 2)) = 0 ]; then client "$i" "$RACK2_URL" "$RACK1_URL"; else client "$i" "$RACK1_URL" "$RACK2_URL"; fi
done
sleep "$STORM"
fleet_storm off
# Faults while the clients stream: the origin drops everything after the second of its ~6 slices,
# rack2 dies after the fourth (the origin logs each 4 MiB slice as it completes), so rack2's
# clients are mid-stream then: they cannot be ahead of the origin.
until_slices() {
        local i=0
        while [ "$(fleet_count origin 206)" -lt "$1" ] && [ $i -lt 300 ]; do sleep 0.05; i=$((i + 1)); done
}
until_slices 2
fleet_drop_origin
until_slices 4
fleet_stop_one rack2
wait_clients

failed=0
for i in $(seq 1 $N); do
        if [ "$(cat "$T/out/c$i.rc")" != 0 ]; then
                failed=$((failed + 1)); echo "client $i failed:"; cat "$T/out/c$i.log"
        elif [ "$(sha256sum < "$T/out/c$i.raw" | cut -d' ' -f1)" != "$want" ]; then
                failed=$((failed + 1)); echo "client $i: wrong bytes"
        fi
done
[ $failed = 0 ] && ok "$N clients, 0 failures, $N byte-identical images" || fail "$failed of $N clients failed"

origin=$(fleet_bytes origin '^/img/root.raw.zst$')
ratio=$(calc "$origin / $size")
[ $((origin * 10)) -le $((size * 11)) ] && ok "origin sent ${ratio}x the image ($origin of $size bytes) through the caches" ||
        fail "origin sent ${ratio}x the image ($origin bytes): the caches did not absorb the fleet"

# The storm was seen, and honoured: a client asks each of its U URLs (primary, mirror) at most once
# per Retry-After, so no window shorter than RA holds more than N*U 503s at the origin (each
# request through the caches reaches it at most once: 503s are not cached). Before that, each
# pull sends one size probe of the image's first bytes (the fit check: a single attempt, never
# retried, skipped on an error), so the bound is N*(U+1).
U=2
BOUND=$((N * (U + 1)))
n503=$(fleet_count origin 503)
peak=$(fleet_max_in_window origin 503 "$(calc "$RA - 0.05")")
[ "$n503" -ge "$N" ] && ok "the origin answered $n503 requests with 503 during the storm" || fail "only $n503 503s: no storm?"
[ "$peak" -le "$BOUND" ] && ok "at most $peak 503s within any ${RA} s (bound: one per client and URL per Retry-After plus one size probe per client, $BOUND)" ||
        fail "$peak 503s within ${RA} s: more than one per client and URL per Retry-After plus a probe ($BOUND)"
grep -q "asks to retry after $RA s; waiting" "$T"/out/c*.log && ok "clients logged the wait: $(grep -h "asks to retry" "$T"/out/c*.log | head -1)" ||
        fail "no client logged a Retry-After wait"

# Cache-friendly requests: one URL, one header set for every client; resumes were guarded.
sets=$(fleet_header_sets '^/img/root.raw.zst$' rack1 rack2 | wc -l)
[ "$sets" = 1 ] && ok "every client asked with the same URL and headers: $(fleet_header_sets '^/img/root.raw.zst$' rack1 rack2)" ||
        { fail "$sets different request header sets:"; fleet_header_sets '^/img/root.raw.zst$' rack1 rack2; }
# (nginx writes the ETag's quotes as \x22.)
etag=$(curl -sI "$RACK1_URL/img/root.raw.zst" | tr -d '\r"' | awk 'tolower($1) == "etag:" { print $2 }')
if sed 's/\\x22//g' "$T/fleet/rack1/access.log" "$T/fleet/rack2/access.log" |
        awk -F'"' -v e="$etag" '$2 == "/img/root.raw.zst" && $4 ~ /^bytes=[1-9][0-9]*-$/ && $6 == e' |
        grep -q .; then
        ok "resumes asked for Range: bytes=N- with If-Range: $etag"
else
        fail "no guarded resume in the rack caches' logs"
        grep -h "resum\|switch\|start\|connection\|error" "$T"/out/c*.log
        grep -h "bytes=" "$T"/fleet/rack*/access.log | head
fi
grep -q "switching to $RACK1_URL" "$T"/out/c*.log && ok "rack2's clients failed over to rack1" ||
        fail "nobody switched to the mirror"

# --- negative 1: without the cache, the origin carries every client
rm -f "$T"/out/*.raw
: > "$T/fleet/origin/access.log"
for i in $(seq 1 $N); do client "$i" "$ORIGIN_URL" "$ORIGIN_URL"; done
wait_clients
origin=$(fleet_bytes origin '^/img/root.raw.zst$')
ratio=$(calc "$origin / $size")
[ $((origin * 10)) -gt $((size * 11)) ] && ok "negative: with the cache bypassed the origin sent ${ratio}x (the 1.1x check fails)" ||
        fail "negative: the origin sent only ${ratio}x without a cache; the bytes check cannot fail"

# --- negative 2: a 503 storm with nothing to honour (no Retry-After): the bound is broken
rm -f "$T"/out/*.raw
: > "$T/fleet/origin/access.log"
: > "$T/fleet/origin/no-retry-after"
fleet_storm on
# (Asking for a file that is not there: only the storm's 503s count, and a 404 ends each client
# when it is over instead of a 25 MB download at the origin's rate.)
for i in $(seq 1 $N); do client "$i" "$ORIGIN_URL/absent" "$ORIGIN_URL/absent" --retry-delay=10 --retries=100; done
sleep 3
fleet_storm off
wait_clients
rm -f "$T/fleet/origin/no-retry-after"
peak=$(fleet_max_in_window origin 503 "$(calc "$RA - 0.05")")
[ "$peak" -gt "$BOUND" ] && ok "negative: without Retry-After $peak 503s came within ${RA} s (the bound $BOUND check fails)" ||
        fail "negative: only $peak 503s within ${RA} s without Retry-After; the rate check cannot fail"

finish
