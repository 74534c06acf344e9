#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Temporaries and signals: a pull whose progress reader goes away (| head -1) fails with a clear
# EPIPE error instead of dying of SIGPIPE, and leaves nothing; a pull killed with SIGKILL leaves
# its .#pull.* temporary (file or directory), which the next pull of the same target removes; a
# temporary that a running pull holds (flock) is never removed by another pull.
. "$(dirname "$0")/lib.sh"

mkdir -p "$T/www" "$T/out" "$T/tree"
head -c 3000000 /dev/urandom > "$T/www/image.raw"
head -c 2000000 /dev/urandom > "$T/tree/blob"
tar -C "$T/tree" -cf "$T/www/tree.tar" .
start_faultserver "$T/www"
SLOW="$FS_URL/f/rate=400000"   # about 7 s for the image

temps() { ls -A "$T/out" | grep '^\.#pull\.' || true; }
# wait_temp: until a temporary appears (at most 10 s).
wait_temp() {
        local i=0
        while [ -z "$(temps)" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
        [ -n "$(temps)" ]
}

# 1. The reader of the progress goes away.
set +e
"$PULLBOOT" pull --progress=json "$SLOW/image.raw" "$T/out/piped" 2>&1 | head -1 > "$T/head.out"
rc=${PIPESTATUS[0]}
set -e
if [ "$rc" = 141 ]; then
        fail "| head -1: killed by SIGPIPE"
elif [ "$rc" != 1 ]; then
        fail "| head -1: exit $rc, expected 1"
elif [ -e "$T/out/piped" ] || [ -n "$(temps)" ]; then
        fail "| head -1: left $(ls -A "$T/out")"
elif ! grep -q '"state":"running"' "$T/head.out"; then
        fail "| head -1: the line read was not progress: $(cat "$T/head.out")"
else
        ok "| head -1: exit 1, nothing left"
fi
# 2. SIGKILL mid-way leaves the temporary; the next pull of that target removes it.
for type in raw tar; do
        src=image.raw; [ $type = tar ] && src=tree.tar
        "$PULLBOOT" pull --progress=none --type=$type "$SLOW/$src" "$T/out/killed-$type" 2> /dev/null &
        pid=$!
        if ! wait_temp; then
                fail "$type: no temporary appeared"; kill -9 $pid; wait $pid || true; continue
        fi
        sleep 0.5
        kill -9 $pid; wait $pid 2> /dev/null || true
        stale=$(temps)
        [ -n "$stale" ] && ok "$type: SIGKILL left $stale" || fail "$type: SIGKILL left no temporary"
        if "$PULLBOOT" pull --progress=none --type=$type "$FS_URL/$src" "$T/out/killed-$type" 2> "$T/sweep.log" &&
           [ -z "$(temps)" ] && grep -q "removed $T/out/$stale, left by an interrupted pull" "$T/sweep.log"; then
                ok "$type: the next pull removed it: $(cat "$T/sweep.log")"
        else
                fail "$type: stale temporary not removed: $(ls -A "$T/out")"; cat "$T/sweep.log"
        fi
        rm -rf "$T/out/killed-$type"
done

# A restart from byte 0 (the server ignores Range) makes a tar image start over in a new
# temporary directory, which is held as well; none is left after success.
if "$PULLBOOT" pull --progress=none --retry-delay=10 --type=tar "$FS_URL/f/norange,dropat=500000/tree.tar" "$T/out/restarted" 2> "$T/restart.log" &&
   cmp -s "$T/out/restarted/blob" "$T/tree/blob" && [ -z "$(temps)" ] && grep -q 'starting over' "$T/restart.log"; then
        ok "tar restarted from byte 0 in a new temporary: nothing left"
else
        fail "tar restart: $(ls -A "$T/out")"; cat "$T/restart.log"
fi
rm -rf "$T/out/restarted"

# 3. A running pull's temporary is held: another pull of the same target leaves it alone.
"$PULLBOOT" pull --progress=none "$SLOW/image.raw" "$T/out/live" 2> "$T/live.log" &
pid=$!
if wait_temp; then
        live=$(temps)
        rc=0
        "$PULLBOOT" pull --progress=none "$FS_URL/nothere.raw" "$T/out/live" 2> "$T/other.log" || rc=$?
        if [ "$rc" = 1 ] && [ "$(temps)" = "$live" ] && ! grep -q removed "$T/other.log"; then
                ok "a second pull of the same target left the live $live alone"
        else
                fail "live temporary: exit $rc, now $(ls -A "$T/out")"; cat "$T/other.log"
        fi
else
        fail "no temporary appeared for the live pull"
fi
if wait $pid && cmp -s "$T/out/live" "$T/www/image.raw"; then
        ok "the live pull finished byte-identical"
else
        fail "the live pull failed"; cat "$T/live.log"
fi
finish
