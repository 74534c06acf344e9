#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Progress output: json lines a machine can parse (received grows, the last one says done with
# every byte), plain lines at most once a second, a redrawn bar with rate and ETA on a terminal.
. "$(dirname "$0")/lib.sh"
need_tool python3

mkdir -p "$T/www" "$T/out"
head -c 1000000 /dev/urandom > "$T/www/image.raw"
start_faultserver "$T/www"
url="$FS_URL/f/rate=300000/image.raw"   # about 3.3 s

"$PULLBOOT" pull --progress=json "$url" "$T/out/a.raw" 2> "$T/json.log" || fail "json pull failed"
if python3 - "$T/json.log" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
running = [l for l in lines if l["state"] == "running"]
assert len(running) >= 2, "expected running lines, got %d" % len(running)
assert all(a["received"] <= b["received"] for a, b in zip(running, running[1:])), "received went backwards"
assert all(l["total"] == 1000000 for l in lines), "total missing"
assert any(l["eta_s"] is not None for l in running), "no ETA"
last = lines[-1]
assert last["state"] == "done" and last["received"] == 1000000 and last["written"] == 1000000, last
print("json: %d running lines, last %s" % (len(running), last))
PY
then ok "json progress"; else fail "json progress"; cat "$T/json.log"; fi

start=$(date +%s.%N)
"$PULLBOOT" pull --progress=plain "$url?plain" "$T/out/b.raw" 2> "$T/plain.log" || fail "plain pull failed"
secs=$(python3 -c "import time; print(int(time.time() - $start) + 1)")
lines=$(grep -c '^pull: ' "$T/plain.log" || true)
if [ "$lines" -ge 2 ] && [ "$lines" -le $((secs + 1)) ] && tail -1 "$T/plain.log" | grep -q 'done'; then
        ok "plain progress: $lines lines in about $secs s"
else
        fail "plain progress: $lines lines in $secs s"; cat "$T/plain.log"
fi

if command -v script >/dev/null; then
        script -qec "$PULLBOOT pull '$url?bar' $T/out/c.raw" /dev/null > "$T/bar.log" 2>&1 || true
        if grep -q $'\r\[#' "$T/bar.log" && grep -q 'ETA' "$T/bar.log" && grep -q '/s' "$T/bar.log" &&
           [ "$(sha256sum < "$T/out/c.raw")" = "$(sha256sum < "$T/www/image.raw")" ]; then
                ok "bar on a terminal with rate and ETA"
        else
                fail "bar progress"; cat -v "$T/bar.log" | tail -3
        fi
fi
"$PULLBOOT" pull --progress=none "$FS_URL/image.raw" "$T/out/d.raw" 2> "$T/none.log"
[ ! -s "$T/none.log" ] && ok "--progress=none is silent" || fail "--progress=none printed: $(cat "$T/none.log")"
finish
