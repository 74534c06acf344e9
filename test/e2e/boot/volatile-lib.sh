# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash
# Shared by the systemd.volatile= scenarios (test-volatile-*.sh), sourced after e2e-lib.sh: one
# boot of the gpt-auto demo image with extra kernel command line words, and the checks on what
# demo-init reports about the booted root (mounts, writes, loop devices; see demo-init.c).

# volatile_boot NAME CMDLINE_EXTRA [mkimage options...]: builds, serves and boots the image; sets
# RAW_SHA (SHA-256 of the raw image as built, before compression) and ZST_SHA (of the served file).
# VOLATILE_VM_ARGS (a bash array, optional) adds pullboot-vm options.
volatile_boot() {
        local name=$1 extra=$2
        shift 2
        e2e_image raw "$SRV/demo.raw" "$name" "$@"
        RAW_SHA=$(sha256sum "$SRV/demo.raw" | cut -d' ' -f1)
        e2e_compress "$SRV/demo.raw"
        ZST_SHA=$(sha256sum "$SRV/demo.raw.zst" | cut -d' ' -f1)
        e2e_sha256sums "$SRV"
        e2e_uki "$SRV/demo.efi" "rd.systemd.pull=raw,machine,verify=checksum,blockdev,bootorigin:rootdisk:demo.raw.zst root=gpt-auto $extra"
        volatile_run "$name"
}

# volatile_run NAME: boots the UKI built by volatile_boot again (console in $LOG).
volatile_run() {
        local vm_args=()
        if declare -p VOLATILE_VM_ARGS >/dev/null 2>&1; then
                vm_args=("${VOLATILE_VM_ARGS[@]}")
        fi
        e2e_vm --serve "$SRV" --boot demo.efi --fail 'Kernel panic' --fail 'pullboot: boot failed' "${vm_args[@]}"
        [ "$VM_RC" = 0 ] || e2e_fail "pullboot-vm exited with $VM_RC (want 0: the guest powered off)"
        e2e_assert_console "$(e2e_banner_regex "${VOLATILE_BANNER_NAME:-$1}" "$(e2e_url_base)/demo.efi")" \
                "no banner of the pulled root's init"
}

# The demo's line about the one loop device: "loopN ro=R rewrite W sha256 HEX of FILE".
volatile_loop_line() {
        local lines
        lines=$(e2e_console | grep -E '^pullboot demo: loop[0-9]+ ro=' || true)
        [ -n "$lines" ] || e2e_fail "demo-init reported no loop device in use"
        [ "$(printf '%s\n' "$lines" | wc -l)" = 1 ] || e2e_fail "expected one loop device, got: $lines"
        LOOP_RO=$(printf '%s\n' "$lines" | sed -n 's/.* ro=\([01]\) .*/\1/p')
        LOOP_WRITE=$(printf '%s\n' "$lines" | sed -n 's/.* rewrite \(.*\) sha256 .*/\1/p')
        LOOP_SHA=$(printf '%s\n' "$lines" | sed -n 's/.* sha256 \([0-9a-f-]*\) of .*/\1/p')
        echo "loop device: $lines"
}

# The image as the guest has it after the booted system wrote to / is the image the server
# published, byte for byte; the served file did not change either.
volatile_assert_image_unchanged() {
        [ "$LOOP_SHA" = "$RAW_SHA" ] ||
                e2e_fail "the attached image's SHA-256 after the boot is $LOOP_SHA, the image built was $RAW_SHA"
        echo "ok: the attached image still has the SHA-256 it was built with ($RAW_SHA)"
        [ "$(sha256sum "$SRV/demo.raw.zst" | cut -d' ' -f1)" = "$ZST_SHA" ] || e2e_fail "the served image changed"
}
