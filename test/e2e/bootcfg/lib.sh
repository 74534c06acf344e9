# SPDX-License-Identifier: LGPL-2.1-or-later
# Shared by the bootcfg e2e tests (sourced): a private nginx on 127.0.0.1, QEMU+OVMF under TCG,
# and cleanup that kills both on every exit path.

OVMF_CODE=${OVMF_CODE:-/usr/share/OVMF/OVMF_CODE_4M.fd}
OVMF_VARS=${OVMF_VARS:-/usr/share/OVMF/OVMF_VARS_4M.fd}

skip() { echo "SKIP: $*"; exit 77; }

require_tools() {
        local t
        for t in "$@"; do
                command -v "$t" >/dev/null || skip "$t not installed"
        done
        [ -r "$OVMF_CODE" ] && [ -r "$OVMF_VARS" ] || skip "OVMF firmware missing ($OVMF_CODE, $OVMF_VARS)"
}

E2E_PIDS=()
e2e_cleanup() {
        local p
        for p in "${E2E_PIDS[@]}"; do
                kill "$p" 2>/dev/null
        done
        for p in "${E2E_PIDS[@]}"; do
                # QEMU exits on SIGTERM; give it a moment, then insist.
                for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$p" 2>/dev/null || break; sleep 0.2; done
                kill -9 "$p" 2>/dev/null
                wait "$p" 2>/dev/null
        done
        [ -n "${E2E_DIR:-}" ] && [ -z "${KEEP_E2E_DIR:-}" ] && rm -rf "$E2E_DIR"
}

e2e_setup() {
        E2E_DIR=$(mktemp -d /tmp/pullboot-bootcfg-e2e.XXXXXX)
        trap e2e_cleanup EXIT
        trap 'exit 130' INT TERM
        mkdir -p "$E2E_DIR/www" "$E2E_DIR/nginx/logs" "$E2E_DIR/nginx/tmp"
}

# Starts nginx serving $E2E_DIR/www on a free port; sets HTTP_PORT and ACCESS_LOG. With
# NGINX_TLS_CERT and NGINX_TLS_KEY set it serves HTTPS.
start_nginx() {
        local tls=""
        [ -n "${NGINX_TLS_CERT:-}" ] &&
                tls=" ssl; ssl_certificate $NGINX_TLS_CERT; ssl_certificate_key $NGINX_TLS_KEY"
        local n=$E2E_DIR/nginx attempt
        ACCESS_LOG=$n/logs/access.log
        for attempt in 1 2 3 4 5 6 7 8 9 10; do
                HTTP_PORT=$((20000 + RANDOM % 30000))
                cat >"$n/nginx.conf" <<EOF
daemon off;
master_process off;
worker_processes 1;
pid $n/nginx.pid;
error_log $n/logs/error.log;
events { worker_connections 64; }
http {
        access_log $ACCESS_LOG;
        client_body_temp_path $n/tmp;
        proxy_temp_path $n/tmp;
        fastcgi_temp_path $n/tmp;
        uwsgi_temp_path $n/tmp;
        scgi_temp_path $n/tmp;
        types { application/efi efi; }
        default_type application/octet-stream;
        server {
                listen 127.0.0.1:$HTTP_PORT$tls;
                root $E2E_DIR/www;
        }
}
EOF
                nginx -p "$n" -c "$n/nginx.conf" 2>>"$n/logs/stderr" &
                local pid=$!
                local i
                for i in $(seq 1 25); do
                        if ! kill -0 "$pid" 2>/dev/null; then break; fi
                        if (exec 3<>"/dev/tcp/127.0.0.1/$HTTP_PORT") 2>/dev/null; then
                                E2E_PIDS+=("$pid")
                                return 0
                        fi
                        sleep 0.2
                done
                kill "$pid" 2>/dev/null
                wait "$pid" 2>/dev/null
        done
        echo "FAIL: nginx did not start: $(cat "$n/logs/error.log" "$n/logs/stderr" 2>/dev/null)"
        exit 1
}

# start_qemu VARS SERIAL_LOG [extra QEMU args...]: q35, TCG, OVMF with the given VARS file, one
# virtio NIC on user networking without the iPXE option ROM, so only edk2's own network stack
# (and its HTTP boot) can boot from the network.
start_qemu() {
        local vars=$1 serial=$2
        shift 2
        qemu-system-x86_64 -machine q35 -accel tcg -m 1024 -nographic -nodefaults \
                -serial "file:$serial" \
                -drive "if=pflash,format=raw,readonly=on,file=$OVMF_CODE" \
                -drive "if=pflash,format=raw,file=$vars" \
                -netdev user,id=n0 -device virtio-net-pci,netdev=n0,romfile= \
                "$@" </dev/null >"$serial.qemu" 2>&1 &
        QEMU_PID=$!
        E2E_PIDS+=("$QEMU_PID")
}

stop_qemu() {
        kill "$QEMU_PID" 2>/dev/null
        for _ in $(seq 1 25); do kill -0 "$QEMU_PID" 2>/dev/null || break; sleep 0.2; done
        kill -9 "$QEMU_PID" 2>/dev/null
        wait "$QEMU_PID" 2>/dev/null
}

# Serial output without escape sequences and download progress.
clean_serial() {
        tr -d '\r' <"$1" | sed -e 's/\x1b\[[0-9;=?]*[A-Za-z]//g' -e 's/  Downloading\.\.\.[0-9]*%//g'
}

# wait_for SECONDS COMMAND...: polls once a second.
wait_for() {
        local t=$1 i
        shift
        for ((i = 0; i < t; i++)); do
                "$@" 2>/dev/null && return 0
                kill -0 "$QEMU_PID" 2>/dev/null || { "$@" 2>/dev/null; return; }
                sleep 1
        done
        "$@" 2>/dev/null
}

# A PXE attempt by edk2 ("Start PXE over IPv4") or by an iPXE option ROM.
pxe_attempted() {
        grep -Eq 'Start PXE|iPXE|PXE-E[0-9]' "$1"
}
