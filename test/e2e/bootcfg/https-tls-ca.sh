#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# --enroll-tls-ca: OVMF HTTPS-boots from a server whose certificate is signed by a private CA only
# once that CA is enrolled in TlsCaCertificate. Without it (control run) the firmware refuses the
# server and never sends the GET. pullboot-vm's server is plain HTTP, so nginx serves HTTPS here;
# pullboot-vm boots each store as it is (--vars, no --boot).
set -u
BOOTCFG=${1:?usage: https-tls-ca.sh PULLBOOT-BOOTCFG MARKER.EFI}
MARKER=${2:-}
. "$(dirname "$0")/lib.sh"

require_tools qemu-system-x86_64 nginx openssl
[ -n "$MARKER" ] && [ -r "$MARKER" ] || skip "test EFI application not built (needs gnu-efi)"
e2e_setup
T=$E2E_DIR

# A CA and a server certificate for the address the guest connects to.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=pullboot-e2e-ca \
        -keyout "$T/ca.key" -out "$T/ca.pem" -addext basicConstraints=critical,CA:TRUE \
        -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null || { echo "FAIL: CA"; exit 1; }
openssl req -newkey rsa:2048 -nodes -subj /CN=10.0.2.2 -keyout "$T/server.key" -out "$T/server.csr" \
        2>/dev/null || { echo "FAIL: CSR"; exit 1; }
printf 'subjectAltName=IP:10.0.2.2,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' >"$T/ext"
openssl x509 -req -in "$T/server.csr" -CA "$T/ca.pem" -CAkey "$T/ca.key" -CAcreateserial -days 2 \
        -extfile "$T/ext" -out "$T/server.pem" 2>/dev/null || { echo "FAIL: server certificate"; exit 1; }

NGINX_TLS_CERT=$T/server.pem NGINX_TLS_KEY=$T/server.key start_nginx
openssl s_client -connect "127.0.0.1:$HTTP_PORT" -CAfile "$T/ca.pem" </dev/null 2>/dev/null |
        grep -q 'Verify return code: 0' || { echo "FAIL: the test server's TLS setup does not verify"; exit 1; }
cp "$MARKER" "$T/www/x.efi"
URI=https://10.0.2.2:$HTTP_PORT/x.efi

fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

boot() { # boot NAME TIMEOUT: boots $T/NAME.fd until the marker, the firmware moving on, or TIMEOUT
        local name=$1 timeout=$2
        : >"$ACCESS_LOG"
        kill -USR1 "${E2E_PIDS[0]}"
        run_vm "$T/$name.txt" --vars "$T/$name.fd" --timeout "$timeout" \
                --expect 'PULLBOOT-E2E-MARKER' --fail "$FW_MOVED_ON"
}

# Control: the entry alone, no CA.
cp "$OVMF_VARS" "$T/noca.fd"
"$BOOTCFG" --vars "$T/noca.fd" --add-uri "$URI" --title https --boot-order 0 || fail "bootcfg add (control)"
boot noca 45
grep -qxF "  URI: $URI" "$T/noca.txt" || fail "without the CA the firmware did not try the HTTPS entry"
grep -q 'GET /x.efi' "$ACCESS_LOG" && fail "without the CA the firmware still fetched x.efi"
grep -q 'PULLBOOT-E2E-MARKER' "$T/noca.txt" && fail "without the CA the image ran"

cp "$OVMF_VARS" "$T/ca.fd"
"$BOOTCFG" --vars "$T/ca.fd" --enroll-tls-ca "$T/ca.pem" || fail "bootcfg --enroll-tls-ca"
"$BOOTCFG" --vars "$T/ca.fd" --add-uri "$URI" --title https --boot-order 0 || fail "bootcfg add"
boot ca 120
grep -q '"GET /x.efi HTTP/1.1" 200 ' "$ACCESS_LOG" || fail "with the CA enrolled the firmware did not fetch x.efi"
grep -q 'PULLBOOT-E2E-MARKER' "$T/ca.txt" || fail "with the CA enrolled the image did not run"
pxe_attempted "$T/ca.txt" && fail "PXE attempted"

if [ "$fails" -gt 0 ]; then
        for f in noca ca; do echo "--- serial log ($f)"; cat "$T/$f.txt"; done
        echo "--- access log"; cat "$ACCESS_LOG"
        exit 1
fi
echo "ok: HTTPS boot works with the enrolled CA and is refused without it"
