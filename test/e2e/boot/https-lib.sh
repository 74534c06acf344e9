# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash
#
# Shared by the HTTPS boot scenarios (test-https*.sh): a private CA and a server certificate for
# 10.0.2.2 (the address the guest reaches pullboot-vm's server at), made with the openssl CLI
# once per build tree and kept in test/e2e/boot/assets/https-pki/ (so the initrd that bundles
# the CA stays cached), plus a second, unrelated CA for the wrong-CA case.
# Source after e2e-lib.sh; call https_pki before e2e_begin (the initrd needs the CA bundle).

https_pki() {
        e2e_need_tools openssl
        HTTPS_PKI=$PB_BUILD/test/e2e/boot/assets/https-pki
        mkdir -p "$HTTPS_PKI"
        (
                flock 9
                cd "$HTTPS_PKI" || exit 1
                # Remade when missing or expiring within a day (they are valid for 30).
                if [ -s server.pem ] && [ -s other-ca.pem ] && openssl x509 -checkend 86400 -noout -in ca.pem &&
                   openssl x509 -checkend 86400 -noout -in server.pem; then
                        exit 0
                fi
                rm -f ./*.pem ./*.key ./*.csr ./*.srl ./*.ext
                ca() {   # NAME CN
                        openssl req -x509 -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.pem" -days 30 \
                                -subj "/O=pullboot e2e/CN=$2" \
                                -addext 'basicConstraints=critical,CA:TRUE' \
                                -addext 'keyUsage=critical,keyCertSign,cRLSign' 2>/dev/null
                }
                ca ca "pullboot e2e CA" && ca other-ca "pullboot e2e unrelated CA" &&
                openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr \
                        -subj '/O=pullboot e2e/CN=10.0.2.2' 2>/dev/null &&
                printf '%s\n' 'basicConstraints=critical,CA:FALSE' 'keyUsage=critical,digitalSignature,keyEncipherment' \
                        'extendedKeyUsage=serverAuth' 'subjectAltName=IP:10.0.2.2,IP:127.0.0.1' \
                        'subjectKeyIdentifier=hash' 'authorityKeyIdentifier=keyid:always' >server.ext &&
                openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem \
                        -days 30 -extfile server.ext 2>/dev/null
        ) 9>"$PB_BUILD/test/e2e/boot/assets/.https-pki.lock" || e2e_fail "could not make the test CA and certificate"
        openssl verify -CAfile "$HTTPS_PKI/ca.pem" "$HTTPS_PKI/server.pem" >/dev/null ||
                e2e_fail "the test server certificate does not verify against the test CA"
}

# The https:// URL base the embedded server was reachable under, from pullboot-vm's log.
https_url_base() {
        e2e_console | sed -n 's/^pullboot-vm: serving .* over HTTPS (guest: \(https:[^)]*\))$/\1/p' | sed -n 1p
}

# The firmware fetched the UKI over HTTPS: edk2 printed the https URI, and the server (which speaks
# only TLS) logged the download.
https_assert_uki_over_https() {
        local base=$1
        e2e_assert_console "^ *URI: $(e2e_regex_quote "$base")/demo\.efi" "the firmware did not boot from $base/demo.efi"
        e2e_assert_http "^GET /demo\.efi -> 200, $(stat -c %s "$SRV/demo.efi") bytes$"
}
