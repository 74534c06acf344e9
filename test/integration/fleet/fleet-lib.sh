# SPDX-License-Identifier: LGPL-2.1-or-later
# A fleet on loopback, shared by test-fleet.sh and bench/fleet: an origin nginx (rate-limited, with
# switches for a 503 storm), a regional caching nginx in front of it (proxy_cache + slice, one
# upstream fetch per slice however many clients ask), two rack caches in front of the regional one
# (the clients' primary and mirror), and helpers to read the logs.
#
#   fleet_start DIR RATE SLICE [RETRY_AFTER]   origin limit_rate RATE (nginx syntax, 0: none)
#   fleet_stop_one NAME                          kill -9 one server (a mirror dies)
#   fleet_drop_origin                            kill -9 the origin's worker: every transfer from it breaks
#   fleet_storm on|off                           origin answers 503 (+ Retry-After) to every request
# With FLEET_ORIGIN_NETNS and FLEET_ORIGIN_ADDR set, the origin runs in that network namespace
# and listens on that address (bench/fleet: behind a veth with a rate-limited uplink).
# Sets ORIGIN_URL REGIONAL_URL RACK1_URL RACK2_URL; logs in DIR/NAME/access.log, one line per
# request: msec status body_bytes "uri" "range" "if-range" "user-agent" "accept" "accept-encoding"
# "cache-control" "pragma" cache_status.

FLEET_PIDS=""

# A loopback port that nothing listens on now, other than the ports given as arguments (other
# tests run servers at the same time: a port taken at random collided once).
fleet_port() {
        local p i
        for i in $(seq 1 50); do
                p=$(( 20000 + $(od -An -N2 -tu2 /dev/urandom) % 40000 ))
                case " $* " in *" $p "*) continue ;; esac
                ss -Htln "sport = :$p" 2>/dev/null | grep -q . && continue
                echo "$p"
                return 0
        done
        echo "fleet_port: no free loopback port found" >&2
        return 1
}

# $1 name, $2 port, $3 server block body, $4 http-level lines; starts nginx with a master (so a killed worker is
# replaced, as a crashed one would be) and waits until it answers.
fleet_nginx() {
        local name=$1 port=$2 body=$3 extra=${4:-} d="$FLEET_DIR/$1" addr=127.0.0.1 run=()
        if [ "$name" = origin ] && [ -n "${FLEET_ORIGIN_NETNS:-}" ]; then
                addr=$FLEET_ORIGIN_ADDR
                run=(ip netns exec "$FLEET_ORIGIN_NETNS")
        fi
        mkdir -p "$d/tmp"
        cat > "$d/nginx.conf" <<EOC
daemon off;
master_process on;
worker_processes 1;
user root;
pid $d/nginx.pid;
error_log $d/error.log;
events { worker_connections 4096; }
http {
        log_format fleet '\$msec \$status \$body_bytes_sent "\$request_uri" "\$http_range" "\$http_if_range" '
                         '"\$http_user_agent" "\$http_accept" "\$http_accept_encoding" "\$http_cache_control" '
                         '"\$http_pragma" \$upstream_cache_status';
        access_log $d/access.log fleet;
        client_body_temp_path $d/tmp/body;
        proxy_temp_path $d/tmp/proxy;
        fastcgi_temp_path $d/tmp/fastcgi;
        uwsgi_temp_path $d/tmp/uwsgi;
        scgi_temp_path $d/tmp/scgi;
        default_type application/octet-stream;
        sendfile on;
        keepalive_requests 100000;
$extra
        server {
                listen $addr:$port reuseport;
$body
        }
}
EOC
        "${run[@]}" nginx -e "$d/error.log" -c "$d/nginx.conf" -p "$d" > /dev/null 2>> "$d/stderr" &
        local pid=$! i=0
        FLEET_PIDS="$FLEET_PIDS $pid"
        echo "$pid" > "$d/master"
        while [ $i -lt 100 ]; do
                curl -s -o /dev/null "http://$addr:$port/nginx-up" && return 0
                kill -0 "$pid" 2>/dev/null || break
                sleep 0.05; i=$((i + 1))
        done
        cat "$d/error.log"
        echo "cannot start nginx $name on port $port"
        return 1
}

# A cache in front of $2 (host:port). Every slice is fetched once: concurrent misses wait for the
# first (proxy_cache_lock, long enough for a rate-limited slice), the cache key includes the slice,
# and 503s are not stored.
fleet_cache_conf() {
        local name=$1 upstream=$2 slice=$3
        cat <<EOC
                location = /nginx-up { return 204; }
                location / {
                        slice $slice;
                        proxy_cache $name;
                        proxy_cache_key \$uri\$is_args\$args\$slice_range;
                        proxy_set_header Range \$slice_range;
                        proxy_cache_valid 200 206 1h;
                        proxy_cache_lock on;
                        proxy_cache_lock_timeout 10m;
                        proxy_cache_lock_age 10m;
                        proxy_http_version 1.1;
                        proxy_set_header Connection "";
                        proxy_pass http://$upstream;
                }
EOC
}

fleet_start() {
        FLEET_DIR=$1
        local rate=$2 slice=$3 ra=${4:-2}
        local op rp r1 r2 oa=${FLEET_ORIGIN_ADDR:-127.0.0.1}
        [ -n "${FLEET_ORIGIN_NETNS:-}" ] || oa=127.0.0.1
        mkdir -p "$FLEET_DIR/www"
        op=$(fleet_port); rp=$(fleet_port "$op"); r1=$(fleet_port "$op" "$rp"); r2=$(fleet_port "$op" "$rp" "$r1")
        # The storm: while $FLEET_DIR/origin/storm exists, every request is answered 503 with
        # Retry-After (unless the file "no-retry-after" exists too: the negative case).
        fleet_nginx origin "$op" "
                root $FLEET_DIR/www;
                limit_rate $rate;
                location = /nginx-up { return 204; }
                location / {
                        if (-f $FLEET_DIR/origin/storm) { return 503; }
                }
                error_page 503 /storm.txt;
                location = /storm.txt {
                        internal;
                        root $FLEET_DIR;
                        set \$ra $ra;
                        if (-f $FLEET_DIR/origin/no-retry-after) { set \$ra ''; }
                        add_header Retry-After \$ra always;
                }" || return 1
        printf 'busy\n' > "$FLEET_DIR/storm.txt"
        for n in regional rack1 rack2; do
                mkdir -p "$FLEET_DIR/$n/cache"
        done
        fleet_nginx regional "$rp" "$(fleet_cache_conf regional "$oa:$op" "$slice")" \
                "        proxy_cache_path $FLEET_DIR/regional/cache levels=1:2 keys_zone=regional:10m max_size=8g inactive=1h use_temp_path=off;" || return 1
        fleet_nginx rack1 "$r1" "$(fleet_cache_conf rack1 "127.0.0.1:$rp" "$slice")" \
                "        proxy_cache_path $FLEET_DIR/rack1/cache levels=1:2 keys_zone=rack1:10m max_size=8g inactive=1h use_temp_path=off;" || return 1
        fleet_nginx rack2 "$r2" "$(fleet_cache_conf rack2 "127.0.0.1:$rp" "$slice")" \
                "        proxy_cache_path $FLEET_DIR/rack2/cache levels=1:2 keys_zone=rack2:10m max_size=8g inactive=1h use_temp_path=off;" || return 1
        ORIGIN_URL="http://$oa:$op"
        REGIONAL_URL="http://127.0.0.1:$rp"
        RACK1_URL="http://127.0.0.1:$r1"
        RACK2_URL="http://127.0.0.1:$r2"
}

# The master first, so that it cannot replace the workers killed after it.
fleet_kill_tree() {
        local kids; kids=$(pgrep -P "$1" || true)
        kill -9 "$1" 2>/dev/null || true
        for k in $kids; do kill -9 "$k" 2>/dev/null || true; done
        wait "$1" 2>/dev/null || true
}

fleet_stop_one() {
        fleet_kill_tree "$(cat "$FLEET_DIR/$1/master")"
}

fleet_drop_origin() {
        local m; m=$(cat "$FLEET_DIR/origin/master")
        pkill -9 -P "$m" 2>/dev/null || true
}

fleet_storm() {
        if [ "$1" = on ]; then : > "$FLEET_DIR/origin/storm"; else rm -f "$FLEET_DIR/origin/storm"; fi
}

fleet_cleanup() {
        for p in $FLEET_PIDS; do fleet_kill_tree "$p"; done
        for p in $FLEET_PIDS; do wait "$p" 2>/dev/null || true; done
        FLEET_PIDS=""
}

# Body bytes a server sent for URIs matching $2 (a regex).
fleet_bytes() {
        awk -v re="$2" '{ u = $4; gsub(/"/, "", u); if (u ~ re) s += $3 } END { printf "%.0f\n", s }' \
                "$FLEET_DIR/$1/access.log"
}

# The largest number of requests answered $2 by server $1 within any window of $3 seconds.
fleet_max_in_window() {
        awk -v st="$2" -v w="$3" '$2 == st { t[n++] = $1 }
                END { m = 0; j = 0; for (i = 0; i < n; i++) { while (t[i] - t[j] >= w) j++; if (i - j + 1 > m) m = i - j + 1 }
                      print m }' "$FLEET_DIR/$1/access.log"
}

fleet_count() {
        awk -v st="$2" '$2 == st { n++ } END { print n + 0 }' "$FLEET_DIR/$1/access.log"
}

# Distinct request header sets (uri, user-agent, accept, accept-encoding, cache-control,
# pragma) the clients sent for URIs matching $2: one if every client asks the same way.
fleet_header_sets() {
        local logs=()
        for n in "${@:2}"; do logs+=("$FLEET_DIR/$n/access.log"); done
        awk -v re="$1" -F'"' '{ if ($2 ~ re) print $2 "|" $8 "|" $10 "|" $12 "|" $14 "|" $16 }' "${logs[@]}" | sort -u
}

# Arithmetic on decimals, two places: calc "1.5 * 3".
calc() {
        awk "BEGIN { printf \"%.2f\n\", $* }"
}

# Percentile $2 (0-100) of the numbers in file $1.
percentile() {
        sort -n "$1" | awk -v p="$2" '{ a[NR] = $1 } END { if (NR == 0) { print "-"; exit }
                i = int((NR * p + 99) / 100); if (i < 1) i = 1; if (i > NR) i = NR; print a[i] }'
}
