#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Redirects out of https: nginx with a throwaway CA's certificate redirects once to https (followed)
# and once to plain http (refused by default with a message naming both URLs and the option, nothing
# written; followed with --allow-https-downgrade). A plain http URL may still redirect to http.
. "$(dirname "$0")/lib.sh"
need_tool openssl; need_tool nginx; need_tool zstd

mkdir -p "$T/www" "$T/out" "$T/pki" "$T/ng/tmp"
make_raw_image "$T/www/image.raw" 2
zstd -q -c "$T/www/image.raw" > "$T/www/image.raw.zst"
want=$(sha256sum < "$T/www/image.raw")

cd "$T/pki"
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj '/CN=pullboot test CA' 2>/dev/null
openssl req -newkey rsa:2048 -nodes -keyout srv.key -out srv.csr -subj "/CN=127.0.0.1" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\n' > srv.ext
openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out srv.pem -days 2 -extfile srv.ext 2>/dev/null
cd - > /dev/null

port=$(( 20000 + $(od -An -N2 -tu2 /dev/urandom) % 40000 ))
http=$((port + 1))
cat > "$T/ng/nginx.conf" <<EOC
daemon off; master_process off; worker_processes 1;
pid $T/ng/nginx.pid; error_log $T/ng/error.log;
events { worker_connections 64; }
http {
        access_log $T/ng/access.log; default_type application/octet-stream;
        client_body_temp_path $T/ng/tmp/b; proxy_temp_path $T/ng/tmp/p; fastcgi_temp_path $T/ng/tmp/f;
        uwsgi_temp_path $T/ng/tmp/u; scgi_temp_path $T/ng/tmp/s;
        server { listen 127.0.0.1:$port ssl; root $T/www;
                 ssl_certificate $T/pki/srv.pem; ssl_certificate_key $T/pki/srv.key;
                 location = /to-https.raw.zst { return 302 https://127.0.0.1:$port/image.raw.zst; }
                 location = /to-http.raw.zst { return 302 http://127.0.0.1:$http/image.raw.zst; } }
        server { listen 127.0.0.1:$http; root $T/www;
                 location = /plain.raw.zst { return 302 http://127.0.0.1:$http/image.raw.zst; } }
}
EOC
nginx -e "$T/ng/error.log" -c "$T/ng/nginx.conf" -p "$T/ng" &
PIDS="$PIDS $!"
for _ in $(seq 50); do curl -s --cacert "$T/pki/ca.pem" -o /dev/null "https://127.0.0.1:$port/" && break; sleep 0.1; done

# pull NAME URL [options...]: pulls into $T/out/NAME.raw; ok if byte-identical.
pull_ok() {
        local name=$1 url=$2
        shift 2
        if "$PULLBOOT" pull --progress=none --ca-bundle="$T/pki/ca.pem" "$@" "$url" "$T/out/$name.raw" 2> "$T/err" &&
           [ "$(sha256sum < "$T/out/$name.raw")" = "$want" ]; then
                ok "$name: byte-identical"
        else
                fail "$name"; cat "$T/err" "$T/ng/error.log"
        fi
}

pull_ok https-to-https "https://127.0.0.1:$port/to-https.raw.zst"
pull_ok http-to-http "http://127.0.0.1:$http/plain.raw.zst"

t="$T/out/refused.raw"
expect_failure "https to http redirect" \
        "https://127.0.0.1:$port/to-http.raw.zst: refusing the redirect to http://127.0.0.1:$http/image.raw.zst: it leaves https" \
        "$t" "$PULLBOOT" pull --progress=none --ca-bundle="$T/pki/ca.pem" "https://127.0.0.1:$port/to-http.raw.zst" "$t"
grep -qF -- "--allow-https-downgrade" "$T/out.log" || fail "the refusal does not name --allow-https-downgrade"
n=$(grep -c "GET /image.raw.zst HTTP" "$T/ng/access.log" || true)
pull_ok https-to-http-allowed "https://127.0.0.1:$port/to-http.raw.zst" --allow-https-downgrade
[ "$(grep -c "GET /image.raw.zst HTTP" "$T/ng/access.log" || true)" -gt "$n" ] ||
        fail "--allow-https-downgrade: the http target was never fetched"
finish
