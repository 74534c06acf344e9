#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# pullboot-vm's HTTP server (tools/vm/httpd.c) serving a directory whose files change between
# requests, as they change between boots in the store scenarios: every file response carries ETag
# and Last-Modified; If-None-Match (which wins when present) and If-Modified-Since are answered
# with 304 and no body while the file is unchanged, with 200 and the new bytes once it changed.
# Usage: test-httpd-conditional.sh HTTPD_SERVE
set -u
SERVE=${1:?usage: test-httpd-conditional.sh HTTPD_SERVE}
command -v curl >/dev/null || { echo "SKIP: curl is not installed (tools/install-deps installs it)"; exit 77; }

TMP=$(mktemp -d)
PID=
cleanup() {
        [ -z "$PID" ] || { kill "$PID" 2>/dev/null; wait "$PID" 2>/dev/null; }
        rm -rf "$TMP"
}
trap cleanup EXIT
FAILED=0
fail() { echo "FAIL: $*"; FAILED=$((FAILED + 1)); }
ok() { echo "ok: $*"; }

mkdir "$TMP/srv"
echo "first version" >"$TMP/srv/image.raw"
touch -d '2026-01-02 03:04:05 UTC' "$TMP/srv/image.raw"
"$SERVE" "$TMP/srv" >"$TMP/port" 2>"$TMP/server.log" &
PID=$!
for _ in $(seq 50); do [ -s "$TMP/port" ] && break; sleep 0.1; done
PORT=$(cat "$TMP/port")
[ -n "$PORT" ] || { echo "FAIL: the server did not start: $(cat "$TMP/server.log")"; exit 1; }
URL=http://127.0.0.1:$PORT/image.raw

# get NAME [curl options...]: status in $TMP/NAME.status, headers in NAME.h, body in NAME.body.
get() {
        local name=$1; shift
        curl -s -o "$TMP/$name.body" -D "$TMP/$name.h" -w '%{http_code}' "$@" "$URL" >"$TMP/$name.status"
}
header() { sed -n "s/^$2: \(.*\)\r$/\1/Ip" "$TMP/$1.h"; }
expect() {  # expect NAME STATUS BODY-or-"" WHAT
        local st body
        st=$(cat "$TMP/$1.status"); body=$(cat "$TMP/$1.body" 2>/dev/null)
        if [ "$st" = "$2" ] && [ "$body" = "$3" ]; then ok "$4: $st"; else fail "$4: got $st '$body', want $2 '$3'"; fi
}

get plain
expect plain 200 "first version" "a plain GET"
ETAG=$(header plain ETag)
LM=$(header plain Last-Modified)
[ -n "$ETAG" ] && ok "ETag $ETAG" || fail "no ETag header"
[ "$LM" = "Fri, 02 Jan 2026 03:04:05 GMT" ] && ok "Last-Modified $LM" || fail "Last-Modified is '$LM'"

get inm -H "If-None-Match: $ETAG"
expect inm 304 "" "If-None-Match with the current ETag"
[ "$(header inm ETag)" = "$ETAG" ] && ok "the 304 repeats the ETag" || fail "the 304 has ETag '$(header inm ETag)'"
get inm-list -H "If-None-Match: \"nope\", $ETAG"
expect inm-list 304 "" "If-None-Match listing the ETag among others"
get inm-other -H 'If-None-Match: "something-else"'
expect inm-other 200 "first version" "If-None-Match with another ETag"
get ims -H "If-Modified-Since: $LM"
expect ims 304 "" "If-Modified-Since the Last-Modified date"
get ims-old -H 'If-Modified-Since: Thu, 01 Jan 2026 00:00:00 GMT'
expect ims-old 200 "first version" "If-Modified-Since an earlier date"
get ims-junk -H 'If-Modified-Since: yesterday'
expect ims-junk 200 "first version" "If-Modified-Since that is no date (ignored)"
# If-None-Match decides when both are given: the date alone would say "not modified".
get both -H 'If-None-Match: "something-else"' -H "If-Modified-Since: $LM"
expect both 200 "first version" "If-None-Match wins over If-Modified-Since"
get head -I -H "If-None-Match: $ETAG"
[ "$(cat "$TMP/head.status")" = 304 ] && ok "HEAD with If-None-Match: 304" || fail "HEAD with If-None-Match: $(cat "$TMP/head.status")"
get range -H 'Range: bytes=6-' -H "If-Range: $ETAG"
expect range 206 "version" "a range guarded by If-Range still works"

# The file changes between "boots": same second, same size, new bytes. The ETag (nanoseconds)
# sees it; a client holding the old ETag gets the new bytes.
echo "other version" >"$TMP/srv/image.raw"
touch -d '2026-01-02 03:04:05.5 UTC' "$TMP/srv/image.raw"
get changed -H "If-None-Match: $ETAG"
expect changed 200 "other version" "If-None-Match after the file changed"
[ "$(header changed ETag)" != "$ETAG" ] && ok "a new ETag after the change" || fail "the ETag did not change"

grep -q 'http: GET /image.raw -> 304, 0 bytes' "$TMP/server.log" && ok "the server log shows the 304s" ||
        fail "the server log lacks a 304 line: $(cat "$TMP/server.log")"
echo "$FAILED failed"
[ "$FAILED" = 0 ]
