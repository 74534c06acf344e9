# SPDX-License-Identifier: LGPL-2.1-or-later
# Shared by the bootcfg e2e tests (sourced): guests run by pullboot-vm (PULLBOOT_VM, from meson:
# OVMF under TCG, one virtio NIC on user networking without an option ROM, so only edk2's own
# network stack and its HTTP boot can boot from the network; QEMU always reaped), its embedded
# HTTP server or a private nginx on 127.0.0.1 (HTTPS), and cleanup on every exit path.

# The firmware pullboot-vm runs (checked here only to skip with a reason).
OVMF_CODE=/usr/share/OVMF/OVMF_CODE_4M.fd
OVMF_VARS=/usr/share/OVMF/OVMF_VARS_4M.fd

skip() { echo "SKIP: $*"; exit 77; }

require_tools() {
        local t
        [ -x "${PULLBOOT_VM:-}" ] || { echo "FAIL: pullboot-vm not built (PULLBOOT_VM='${PULLBOOT_VM:-}')"; exit 1; }
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
                # nginx exits on SIGTERM; give it a moment, then insist.
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

# run_vm, pick_port, port_was_busy: one copy for all e2e libraries.
# shellcheck source=../../helpers/vm-lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../helpers/vm-lib.sh"

# The firmware gave up on the entries it was given and moved on to one of its own boot options.
FW_MOVED_ON='BdsDxe: loading Boot[0-9A-F]{4} "(UEFI|EFI) '

# A PXE attempt by edk2 ("Start PXE over IPv4") or by an iPXE option ROM.
pxe_attempted() {
        grep -Eq 'Start PXE|iPXE|PXE-E[0-9]' "$1"
}
