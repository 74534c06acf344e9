#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Proxies from the environment (http_proxy, no_proxy), as libcurl reads them for the pull engine.
# One nginx, several server blocks on 127.0.0.1: the origin serving the image, a forward proxy
# that takes absolute-form requests and passes them to the origin (a fixed upstream, so it never
# resolves a name), a proxy that refuses everything with 403 and one that answers 502.
#
# As root the whole test runs in a network namespace of its own with only lo up: then the name
# lookups it provokes (for a host under the reserved .invalid TLD) fail at once and never leave
# the machine. Without one, the checks that need a lookup are not run, and the output says so.
if [ -z "${PULLBOOT_PROXY_NETNS:-}" ] && [ "$(id -u)" = 0 ] && command -v unshare > /dev/null &&
   unshare -n true 2> /dev/null; then
        PULLBOOT_PROXY_NETNS=1 exec unshare -n "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"
need_tool nginx; need_tool zstd; need_tool curl

netns=""
if [ -n "${PULLBOOT_PROXY_NETNS:-}" ]; then
        ip link set lo up || { echo "cannot bring up lo in the test's network namespace"; exit 1; }
        netns=yes
fi
# Only what each pull is given explicitly may count: nothing inherited from the caller.
unset http_proxy HTTP_PROXY https_proxy HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY

mkdir -p "$T/www" "$T/out" "$T/ng/tmp"
make_raw_image "$T/www/image.raw" 2
zstd -q -c "$T/www/image.raw" > "$T/www/img.raw.zst"
want=$(sha256sum < "$T/www/image.raw")
HOSTNAME_INVALID=pullboot-origin.invalid

# Ports: origin, forward proxy, 403 proxy, 502 proxy, and one nobody listens on.
start_servers() {
        local tries=0 pid
        while :; do
                base=$(( 20000 + $(od -An -N2 -tu2 /dev/urandom) % 40000 ))
                origin=$base proxy=$((base + 1)) deny=$((base + 2)) bad=$((base + 3)) closed=$((base + 4))
                cat > "$T/ng/nginx.conf" <<EOC
daemon off; master_process off; worker_processes 1;
pid $T/ng/nginx.pid; error_log $T/ng/error.log;
events { worker_connections 64; }
http {
        default_type application/octet-stream;
        client_body_temp_path $T/ng/tmp/b; proxy_temp_path $T/ng/tmp/p; fastcgi_temp_path $T/ng/tmp/f;
        uwsgi_temp_path $T/ng/tmp/u; scgi_temp_path $T/ng/tmp/s;
        log_format line '\$request \$status';
        server { listen 127.0.0.1:$origin; root $T/www; access_log $T/ng/origin.log line; }
        server { listen 127.0.0.1:$proxy; access_log $T/ng/proxy.log line;
                 location / { proxy_pass http://127.0.0.1:$origin; } }
        server { listen 127.0.0.1:$deny; access_log $T/ng/deny.log line; return 403; }
        server { listen 127.0.0.1:$bad; access_log $T/ng/bad.log line; return 502; }
}
EOC
                nginx -e "$T/ng/error.log" -c "$T/ng/nginx.conf" -p "$T/ng" &
                pid=$!
                for _ in $(seq 50); do
                        curl -s -o /dev/null "http://127.0.0.1:$origin/" && break
                        kill -0 $pid 2> /dev/null || break
                        sleep 0.1
                done
                # Up, and the closed port really is closed (curl exit 7: could not connect).
                if kill -0 $pid 2> /dev/null && curl -s -o /dev/null "http://127.0.0.1:$origin/"; then
                        local rc=0
                        curl -s -o /dev/null "http://127.0.0.1:$closed/" || rc=$?
                        if [ $rc = 7 ]; then PIDS="$PIDS $pid"; break; fi
                fi
                kill $pid 2> /dev/null || true
                wait $pid 2> /dev/null || true
                tries=$((tries + 1))
                [ $tries -lt 5 ] || { cat "$T/ng/error.log"; echo "cannot start nginx"; exit 1; }
        done
        : > "$T/ng/origin.log"
}
start_servers

# Runs a pull with exactly the proxy variables given (NAME=VALUE...) and no others.
pull_with() {
        local -a vars=()
        while [ $# -gt 0 ] && [ "$1" != -- ]; do vars+=("$1"); shift; done
        shift
        env "${vars[@]}" "$PULLBOOT" pull --progress=none --retries=1 --retry-delay=10 "$@"
}

# Sets LOG to the lines the log $1 gained since the last call for that log.
declare -A seen
new_lines() {
        local n; n=$(wc -l < "$1")
        LOG=$(tail -n +$(( ${seen[$1]:-0} + 1 )) "$1")
        seen[$1]=$n
}

# 1. Through the proxy. The host does not resolve, so only the proxy can have fetched it; the
#    proxy must have been asked in absolute form (how a client talks to a forward proxy).
url="http://$HOSTNAME_INVALID:$origin/img.raw.zst"
target="$T/out/via-proxy.raw"
if pull_with "http_proxy=http://127.0.0.1:$proxy" -- "$url" "$target" 2> "$T/err" &&
   [ "$(sha256sum < "$target")" = "$want" ]; then
        ok "http_proxy: $url pulled through the proxy, byte-identical"
else
        fail "http_proxy: pull of $url"; cat "$T/err" "$T/ng/error.log"
fi
new_lines "$T/ng/proxy.log"
if grep -qx "GET $url HTTP/1.1 200" <<< "$LOG"; then ok "proxy log has the absolute URL: $(head -1 <<< "$LOG")"
else fail "proxy log lacks 'GET $url HTTP/1.1 200': $LOG"; fi
new_lines "$T/ng/origin.log"
if grep -qx "GET /img.raw.zst HTTP/1.0 200" <<< "$LOG"; then ok "origin served the proxy: $LOG"
else fail "origin log: $LOG"; fi

# A proxy given only as HTTP_PROXY is not used for http:// (libcurl reads that one in lowercase
# only, so a CGI's request header cannot set it), and the name must then be looked up: it fails.
if [ -n "$netns" ]; then
        expect_failure "HTTP_PROXY (uppercase) is ignored for http" \
                "Could not resolve host: $HOSTNAME_INVALID" "$T/out/upper.raw" \
                pull_with "HTTP_PROXY=http://127.0.0.1:$proxy" -- "$url" "$T/out/upper.raw"
        new_lines "$T/ng/proxy.log"; [ -z "$LOG" ] && ok "HTTP_PROXY: the proxy saw nothing" ||
                fail "HTTP_PROXY: the proxy was used"
fi

# 2. no_proxy. The unambiguous design: http_proxy names the proxy that refuses everything with
#    403, so a success with the right bytes can only have come the direct way. First the control
#    (without no_proxy the 403 proxy is used and the pull fails), so the success below is due to
#    no_proxy and nothing else.
url="http://127.0.0.1:$origin/img.raw.zst"
expect_failure "control: without no_proxy the 403 proxy is used" "$url: the server refused with HTTP 403" \
        "$T/out/control.raw" pull_with "http_proxy=http://127.0.0.1:$deny" -- "$url" "$T/out/control.raw"
new_lines "$T/ng/deny.log"
grep -qx "GET $url HTTP/1.1 403" <<< "$LOG" && ok "control: the 403 proxy got the absolute URL" ||
        fail "control: 403 proxy log: $LOG"

target="$T/out/direct.raw"
if pull_with "http_proxy=http://127.0.0.1:$deny" "no_proxy=127.0.0.1" -- "$url" "$target" 2> "$T/err" &&
   [ "$(sha256sum < "$target")" = "$want" ]; then
        ok "no_proxy=127.0.0.1: pulled directly, byte-identical"
else
        fail "no_proxy=127.0.0.1: pull of $url"; cat "$T/err"
fi
new_lines "$T/ng/deny.log"
[ -z "$LOG" ] && ok "no_proxy: the 403 proxy saw nothing" || fail "no_proxy: the 403 proxy was asked: $LOG"
new_lines "$T/ng/origin.log"
grep -qx "GET /img.raw.zst HTTP/1.1 200" <<< "$LOG" && ok "no_proxy: origin asked directly: $LOG" ||
        fail "no_proxy: origin log: $LOG"

# And the failing form: no_proxy covers the unresolvable host, so the working proxy is bypassed and
# the pull fails on the name, leaving nothing.
if [ -n "$netns" ]; then
        url="http://$HOSTNAME_INVALID:$origin/img.raw.zst"
        expect_failure "no_proxy=.invalid bypasses the proxy" "$url: Could not resolve host: $HOSTNAME_INVALID" \
                "$T/out/bypassed.raw" \
                pull_with "http_proxy=http://127.0.0.1:$proxy" "no_proxy=.invalid" -- "$url" "$T/out/bypassed.raw"
        new_lines "$T/ng/proxy.log"; [ -z "$LOG" ] && ok "no_proxy=.invalid: the proxy saw nothing" ||
                fail "no_proxy=.invalid: the proxy was used"
else
        echo "not checked (needs root for a private network namespace): name lookups of .invalid hosts"
fi

# 3. A proxy that refuses: 502 from the proxy, then nothing listening at the proxy's address.
#    Exit status 1, the URL named, no file and no temporary at the destination.
url="http://$HOSTNAME_INVALID:$origin/img.raw.zst"
# Like expect_failure, in one run, and the exit status must be 1 (a failed pull, not bad usage).
expect_exit1() {
        local what=$1 pattern=$2 target=$3; shift 3
        local rc=0
        "$@" > "$T/out.log" 2>&1 || rc=$?
        if [ $rc != 1 ]; then
                fail "$what: exit status $rc, want 1"; cat "$T/out.log"
        elif [ -e "$target" ] || [ -L "$target" ]; then
                fail "$what: $target exists after a failure"
        elif ls -A "$(dirname "$target")" | grep -q '^\.#pull\.'; then
                fail "$what: temporary left in $(dirname "$target")"
        elif ! grep -Fq "$pattern" "$T/out.log"; then
                fail "$what: no '$pattern' in:"; cat "$T/out.log"
        else
                ok "$what (exit 1): $(grep -F "$pattern" "$T/out.log" | head -1)"
        fi
}
expect_exit1 "proxy answers 502" "$url: server error (HTTP 502)" "$T/out/bad.raw" \
        pull_with "http_proxy=http://127.0.0.1:$bad" -- "$url" "$T/out/bad.raw"
grep -Fq "giving up on $url after 2 failed attempts" "$T/out.log" && ok "502: gave up after the retry" ||
        { fail "502: no final error"; cat "$T/out.log"; }
new_lines "$T/ng/bad.log"
grep -qx "GET $url HTTP/1.1 502" <<< "$LOG" && ok "the 502 proxy was asked" || fail "502 proxy log: $LOG"
expect_exit1 "proxy port closed" "$url: Failed to connect to 127.0.0.1 port $closed" "$T/out/closed.raw" \
        pull_with "http_proxy=http://127.0.0.1:$closed" -- "$url" "$T/out/closed.raw"
grep -Fq "giving up on $url after 2 failed attempts" "$T/out.log" && ok "closed: gave up after the retry" ||
        { fail "closed: no final error"; cat "$T/out.log"; }
new_lines "$T/ng/origin.log"; [ -z "$LOG" ] && ok "the origin saw none of the failed pulls" ||
        fail "the origin was reached by a pull that should have failed"

finish
