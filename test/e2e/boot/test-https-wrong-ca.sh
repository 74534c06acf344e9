#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# HTTPS with the wrong CA in the initrd: pullboot-vm --tls makes a throwaway CA and enrolls it in
# the firmware, so the UKI still comes over HTTPS, but the initrd bundles an unrelated CA: the pull
# must fail naming the TLS verification error, before any image request reaches the server.
E2E_NAME=boot-https-wrong-ca
. "$(dirname "$0")/../../helpers/e2e-lib.sh"
. "$(dirname "$0")/https-lib.sh"
e2e_require
https_pki
E2E_MKINITRD_ARGS=(--ca-bundle "$HTTPS_PKI/other-ca.pem")
e2e_begin

e2e_image raw "$SRV/demo.raw" "pullboot e2e https wrong CA"
e2e_compress "$SRV/demo.raw"
e2e_sha256sums "$SRV"
e2e_uki "$SRV/demo.efi" 'rd.systemd.pull=raw,machine,verify=checksum,blockdev,bootorigin:rootdisk:demo.raw.zst root=gpt-auto'

e2e_vm --serve "$SRV" --boot demo.efi --tls --tls-ca-out "$E2E_WORK/throwaway-ca.pem" \
        --fail 'Kernel panic' --fail '^pullboot demo: init ran'
[ "$VM_RC" = 0 ] || e2e_fail "pullboot-vm exited with $VM_RC (want 0: the failure action powered the guest off)"

e2e_assert_console '^pullboot-vm: made a throwaway CA .* and a server certificate for 10\.0\.2\.2$'
e2e_assert_console '^pullboot-vm: enrolled 1 CA certificate from .*throwaway-ca\.pem as TlsCaCertificate$'
BASE=$(https_url_base)
[ -n "$BASE" ] || e2e_fail "pullboot-vm did not serve over HTTPS"
https_assert_uki_over_https "$BASE"
e2e_assert_console "^pullboot: $(e2e_regex_quote "$BASE")/[^ ]*: TLS verification failed: " \
        "no TLS verification error naming an https://10.0.2.2 URL"
e2e_assert_console '^pullboot: boot failed: cannot pull .*: the server was not trusted \(TLS verification failed'
e2e_assert_console '^pullboot: powering off now' "the failure action (poweroff) did not run"
e2e_assert_no_console '^pullboot: root mounted' "a root was mounted from an unverified server"
[ "$(e2e_count_http '^GET /(demo\.raw\.zst|SHA256SUMS)')" = 0 ] ||
        e2e_fail "the initrd fetched from a server it could not verify"
echo "ok: no image or checksum request reached the server"
e2e_phases
echo PASS
