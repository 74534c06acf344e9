# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash
#
# Running a guest with pullboot-vm from a test, shared by the stub and bootcfg e2e libraries
# (test/e2e/stub/lib.sh, test/e2e/bootcfg/lib.sh); the boot scenarios' e2e_vm
# (test/helpers/e2e-lib.sh) adds timestamps and a retry on top of the same tool. The caller sets
# PULLBOOT_VM and may set VM_TIMEOUT (seconds, passed as --timeout).

# run_vm LOG ARGS...: boots with the console (ANSI sequences and progress redraws removed) and the
# embedded server's access log ("pullboot-vm: http: GET /x.efi -> 200, N bytes") in LOG and
# pullboot-vm's own errors in LOG.stderr. Sets VM_RC (0 all --expect matched or powered off
# without --expect, 1 failure pattern/stopped early/QEMU failed, 124 timeout) and VM_SECONDS
# (QEMU_SECONDS too). The test asserts on LOG, never on VM_RC alone.
run_vm() {
        local log=$1 start=$SECONDS
        local timeout=()
        shift
        [ -z "${VM_TIMEOUT:-}" ] || timeout=(--timeout "$VM_TIMEOUT")
        VM_RC=0
        "$PULLBOOT_VM" --log "$log" --memory 1024 "${timeout[@]}" "$@" 2>"$log.stderr" || VM_RC=$?
        VM_SECONDS=$((SECONDS - start))
        QEMU_SECONDS=$VM_SECONDS
        grep -v "terminating on signal" "$log.stderr" >&2 || true
        if [ "$VM_RC" = 2 ]; then
                echo "FAIL: pullboot-vm rejected its arguments" >&2
                exit 1
        fi
        [ "$VM_RC" != 124 ] || echo "note: pullboot-vm timed out after ${VM_TIMEOUT:-its default} s" >&2
        return 0
}

# PORT := a loopback port nothing listens on now, for URLs written before pullboot-vm serves them;
# port_was_busy LOG tells when pullboot-vm could not bind it after all (the caller retries).
pick_port() {
        local p
        for _ in 1 2 3 4 5 6 7 8 9 10; do
                p=$((20000 + RANDOM % 30000))
                if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
                        PORT=$p
                        return 0
                fi
        done
        echo "FAIL: no free loopback port found" >&2
        exit 1
}

port_was_busy() {
        grep -q 'cannot serve' "$1.stderr" 2>/dev/null
}
