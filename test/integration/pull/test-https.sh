#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# https: nginx with a certificate from a throwaway CA made here. With --ca-bundle naming that CA the
# pull succeeds byte-identical; without it, or with a certificate for another name, it fails
# before anything is written, saying why.
. "$(dirname "$0")/lib.sh"
need_tool openssl; need_tool nginx; need_tool zstd

mkdir -p "$T/www" "$T/out" "$T/pki" "$T/ng/tmp"
make_raw_image "$T/www/image.raw" 2
zstd -q -c "$T/www/image.raw" > "$T/www/image.raw.zst"
want=$(sha256sum < "$T/www/image.raw")

cd "$T/pki"
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj '/CN=pullboot test CA' 2>/dev/null
mkcert() {   # NAME SAN
        openssl req -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.csr" -subj "/CN=$1" 2>/dev/null
        printf 'subjectAltName=%s\n' "$2" > "$1.ext"
        openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -out "$1.pem" -days 2 \
                -extfile "$1.ext" 2>/dev/null
}
mkcert good 'IP:127.0.0.1'
mkcert wrongname 'DNS:elsewhere.invalid'
cd - > /dev/null

port=$(( 20000 + $(od -An -N2 -tu2 /dev/urandom) % 40000 ))
cat > "$T/ng/nginx.conf" <<EOC
daemon off; master_process off; worker_processes 1;
pid $T/ng/nginx.pid; error_log $T/ng/error.log;
events { worker_connections 64; }
http {
        access_log off; default_type application/octet-stream;
        client_body_temp_path $T/ng/tmp/b; proxy_temp_path $T/ng/tmp/p; fastcgi_temp_path $T/ng/tmp/f;
        uwsgi_temp_path $T/ng/tmp/u; scgi_temp_path $T/ng/tmp/s;
        server { listen 127.0.0.1:$port ssl; root $T/www;
                 ssl_certificate $T/pki/good.pem; ssl_certificate_key $T/pki/good.key; }
        server { listen 127.0.0.1:$((port + 1)) ssl; root $T/www;
                 ssl_certificate $T/pki/wrongname.pem; ssl_certificate_key $T/pki/wrongname.key; }
}
EOC
nginx -e "$T/ng/error.log" -c "$T/ng/nginx.conf" -p "$T/ng" &
PIDS="$PIDS $!"
for _ in $(seq 50); do curl -s --cacert "$T/pki/ca.pem" -o /dev/null "https://127.0.0.1:$port/" && break; sleep 0.1; done

if "$PULLBOOT" pull --progress=none --ca-bundle="$T/pki/ca.pem" "https://127.0.0.1:$port/image.raw.zst" "$T/out/a.raw" 2> "$T/err" &&
   [ "$(sha256sum < "$T/out/a.raw")" = "$want" ]; then
        ok "https with --ca-bundle: byte-identical"
else
        fail "https with --ca-bundle"; cat "$T/err" "$T/ng/error.log"
fi
t="$T/out/fail.raw"
expect_failure "unknown CA" "TLS verification failed" "$t" \
        "$PULLBOOT" pull --progress=none "https://127.0.0.1:$port/image.raw.zst" "$t"
expect_failure "certificate for another name" "TLS verification failed" "$t" \
        "$PULLBOOT" pull --progress=none --ca-bundle="$T/pki/ca.pem" "https://127.0.0.1:$((port + 1))/image.raw.zst" "$t"
finish
