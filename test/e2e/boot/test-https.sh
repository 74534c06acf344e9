#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# HTTPS end to end: pullboot-vm serves over TLS with a certificate from a private CA; the CA is
# enrolled in the firmware (TlsCaCertificate) and bundled in the initrd (pullboot-mkinitrd
# --ca-bundle). The firmware fetches the UKI from https://, bootorigin derives an https:// image
# URL, the initrd verifies the server against the bundle, pulls and boots.
E2E_NAME=boot-https
. "$(dirname "$0")/../../helpers/e2e-lib.sh"
. "$(dirname "$0")/https-lib.sh"
e2e_require
https_pki
E2E_MKINITRD_ARGS=(--ca-bundle "$HTTPS_PKI/ca.pem")
e2e_begin

NAME="pullboot e2e https"
e2e_image raw "$SRV/demo.raw" "$NAME"
e2e_compress "$SRV/demo.raw"
e2e_sha256sums "$SRV"
e2e_uki "$SRV/demo.efi" 'rd.systemd.pull=raw,machine,verify=checksum,blockdev,bootorigin:rootdisk:demo.raw.zst root=gpt-auto'

e2e_vm --serve "$SRV" --boot demo.efi --tls-cert "$HTTPS_PKI/server.pem" --tls-key "$HTTPS_PKI/server.key" \
        --tls-ca "$HTTPS_PKI/ca.pem" --fail 'Kernel panic' --fail '^pullboot: boot failed'
[ "$VM_RC" = 0 ] || e2e_fail "pullboot-vm exited with $VM_RC (want 0: the guest powered off)"

e2e_assert_console '^pullboot-vm: enrolled 1 CA certificate from .*/ca\.pem as TlsCaCertificate$'
BASE=$(https_url_base)
[ -n "$BASE" ] || e2e_fail "pullboot-vm did not serve over HTTPS"
https_assert_uki_over_https "$BASE"
e2e_assert_console "$(e2e_banner_regex "$NAME" "$BASE/demo.efi")" "no banner of the pulled root's init naming $BASE/demo.efi"
e2e_assert_console "^pullboot: download finished after .*$(e2e_regex_quote "$BASE/demo.raw.zst")" \
        "the image was not pulled from the derived https:// URL"
e2e_assert_http "^GET /demo\.raw\.zst -> 200, $(stat -c %s "$SRV/demo.raw.zst") bytes$"
e2e_assert_http '^GET /SHA256SUMS -> 200'
e2e_assert_no_console 'TLS verification failed'
e2e_phases
echo PASS
