# SPDX-License-Identifier: LGPL-2.1-or-later
# shellcheck shell=bash
#
# Shared by the end-to-end boot scenarios (test/e2e/boot/) and by run-demo: finds Debian's guest
# kernel, skips (exit 77, with the reason) when QEMU, OVMF, the kernel or a pullboot piece is
# missing, builds the initrd once per build tree (cached, keyed by its inputs), builds UKIs and
# root images (raw DDI or tar, zstd, SHA256SUMS), boots them with pullboot-vm and turns the
# timestamped console into per-phase times.
#
# The caller sets before sourcing:
#   PB_SRC    source tree (default: two levels above this file)
#   PB_BUILD  meson build tree holding the binaries
# and may set E2E_NAME (scenario name; default: the script's name) and E2E_WORK (work directory;
# default: $PB_BUILD/test/e2e/boot/work/$E2E_NAME, wiped at start; after a failure everything in
# it is kept for inspection, after a success only console.log).

set -euo pipefail

PB_SRC=${PB_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
PB_BUILD=${PB_BUILD:?PB_BUILD must name the meson build tree}
E2E_NAME=${E2E_NAME:-$(basename "$0" .sh)}
OVMF_DIR=${OVMF_DIR:-/usr/share/OVMF}
OVMF_KEYS=${OVMF_KEYS:-/usr/share/ovmf}
E2E_TIMEOUT=${E2E_TIMEOUT:-180}

PULLBOOT_VM=$PB_BUILD/tools/vm/pullboot-vm
PULLBOOT_UKIFY=$PB_BUILD/tools/ukify/pullboot-ukify
PULLBOOT_MKINITRD=$PB_BUILD/tools/mkinitrd/pullboot-mkinitrd
PULLBOOT_BOOTCFG=$PB_BUILD/tools/bootcfg/pullboot-bootcfg
PULLBOOT=$PB_BUILD/initrd/pullboot
PULLBOOT_STUB=$PB_BUILD/efi/pullbootx64.efi.stub
MKIMAGE=$PB_SRC/test/helpers/mkimage

# Every kernel command line starts with these: the serial console pullboot-vm follows, quiet
# kernel messages, and a failure action that ends the run at once (the failure scenarios watch
# for it) instead of a rescue shell nobody answers.
E2E_CMDLINE_BASE='console=ttyS0 loglevel=4 pullboot.failure=poweroff'

e2e_skip() {
        echo "SKIP: $*"
        exit 77
}

e2e_fail() {
        echo "FAIL: $*" >&2
        exit 1
}

e2e_need_tools() {
        local t
        for t in "$@"; do
                command -v "$t" >/dev/null 2>&1 || e2e_skip "$t is not installed (tools/install-deps installs it)"
        done
}

# Debian's newest guest kernel and its modules (not the host's running kernel): KERNEL, KVER.
e2e_find_kernel() {
        KERNEL=$(ls /boot/vmlinuz-*-amd64 2>/dev/null | sort -V | tail -n 1 || true)
        [ -n "$KERNEL" ] && [ -r "$KERNEL" ] ||
                e2e_skip "no Debian guest kernel /boot/vmlinuz-*-amd64 (Debian package linux-image-amd64)"
        KVER=${KERNEL#/boot/vmlinuz-}
        [ -d "/lib/modules/$KVER" ] || e2e_skip "no /lib/modules/$KVER for $KERNEL"
}

# Everything a boot scenario needs, or a skip naming the first thing missing.
e2e_require() {
        e2e_need_tools qemu-system-x86_64 zstd sha256sum sfdisk mkfs.ext4 mkfs.vfat mcopy
        [ -r "$OVMF_DIR/OVMF_CODE_4M.fd" ] && [ -r "$OVMF_DIR/OVMF_VARS_4M.fd" ] ||
                e2e_skip "OVMF (4M) is not installed (Debian package ovmf)"
        e2e_find_kernel
        [ -r "$PULLBOOT_STUB" ] || e2e_skip "the EFI stub was not built (gnu-efi missing?): $PULLBOOT_STUB"
        local b
        for b in "$PULLBOOT_VM" "$PULLBOOT_UKIFY" "$PULLBOOT"; do
                [ -x "$b" ] || e2e_skip "$b was not built"
        done
        [ -x "$PULLBOOT_MKINITRD" ] || e2e_skip "pullboot-mkinitrd was not built yet: $PULLBOOT_MKINITRD"
        ! grep -q "'init' is not implemented yet" "$PULLBOOT" || e2e_skip "'pullboot init' is not implemented yet"
}

# The usual start of a scenario: forget the last run's phase row, skip if something is missing,
# fresh work directory, initrd.
e2e_begin() {
        rm -f "$PB_BUILD/test/e2e/boot/phases/$E2E_NAME.tsv"
        e2e_require
        e2e_setup
        e2e_initrd
}

e2e_setup() {
        E2E_WORK=${E2E_WORK:-$PB_BUILD/test/e2e/boot/work/$E2E_NAME}
        rm -rf "$E2E_WORK"
        mkdir -p "$E2E_WORK/srv"
        SRV=$E2E_WORK/srv
        LOG=$E2E_WORK/console.log
        trap e2e_on_exit EXIT
}

# On failure the last lines of the log; on success the images and UKIs go (tens of MiB per
# scenario), the console log stays. E2E_KEEP=1 keeps everything.
e2e_on_exit() {
        local rc=$?
        if [ $rc -ne 0 ] && [ $rc -ne 77 ] && [ -f "${LOG:-/nonexistent}" ]; then
                echo "---- console and server log (last 50 lines; all of it: $LOG) ----" >&2
                grep -v 'Downloading\.\.\.' "$LOG" | tail -n 50 >&2 || true
        fi
        if [ $rc -eq 0 ] && [ -z "${E2E_KEEP:-}" ] && [ -d "${E2E_WORK:-}" ]; then
                find "$E2E_WORK" -mindepth 1 -maxdepth 1 ! -name console.log -exec rm -rf {} + || true
        fi
        exit $rc
}

# The initrd, built by pullboot-mkinitrd once per build tree and input set: $E2E_INITRD.
# E2E_MKINITRD_ARGS (a bash array, optional) adds pullboot-mkinitrd options; each distinct set
# gets its own cached initrd, named by a hash of the options and of the files they name.
e2e_initrd() {
        local dir=$PB_BUILD/test/e2e/boot/assets
        mkdir -p "$dir"
        local key extra=() a variant=""
        if declare -p E2E_MKINITRD_ARGS >/dev/null 2>&1; then
                extra=("${E2E_MKINITRD_ARGS[@]}")
        fi
        key=$( { echo "$KVER"; stat -c '%n %s %Y' "$KERNEL" "/lib/modules/$KVER/modules.dep" 2>/dev/null
                 sha256sum "$PULLBOOT_MKINITRD" "$PULLBOOT"
                 for a in "${extra[@]}"; do
                         echo "arg $a"
                         [ ! -f "$a" ] || sha256sum "$a"
                 done; } | sha256sum | cut -c1-16)
        if [ ${#extra[@]} -gt 0 ]; then
                variant=-$(printf '%s\n' "${extra[@]}" | sha256sum | cut -c1-8)
        fi
        E2E_INITRD=$dir/initrd-$KVER$variant.img
        (
                flock 9
                if [ -s "$E2E_INITRD" ] && [ "$(cat "$E2E_INITRD.key" 2>/dev/null)" = "$key" ]; then
                        exit 0
                fi
                rm -f "$E2E_INITRD" "$E2E_INITRD.key"
                local t0=$SECONDS
                "$PULLBOOT_MKINITRD" --kernel-version "$KVER" --pullboot "$PULLBOOT" --output "$E2E_INITRD" \
                        "${extra[@]}" >"$dir/mkinitrd$variant.log" 2>&1 || {
                        cat "$dir/mkinitrd$variant.log" >&2
                        exit 1
                }
                echo "$key" >"$E2E_INITRD.key"
                echo "built the initrd $E2E_INITRD ($(( $(stat -c %s "$E2E_INITRD") / 1024 )) KiB) in $((SECONDS - t0)) s"
        ) 9>"$dir/.lock" || e2e_fail "pullboot-mkinitrd --kernel-version $KVER failed (log above)"
}

# e2e_uki OUT CMDLINE [pullboot-ukify options...]: our stub + Debian's kernel + our initrd.
e2e_uki() {
        local out=$1 cmdline=$2
        shift 2
        local osrel
        osrel=$(printf 'ID=pullboot-e2e\nNAME="pullboot e2e"\nPRETTY_NAME="pullboot e2e (%s)"\n' "$E2E_NAME")
        "$PULLBOOT_UKIFY" build --stub "$PULLBOOT_STUB" --linux "$KERNEL" --initrd "$E2E_INITRD" \
                --cmdline "$E2E_CMDLINE_BASE $cmdline" --os-release "$osrel" --uname "$KVER" \
                "$@" --output "$out" || e2e_fail "pullboot-ukify build failed for $out"
}

# e2e_sign IN OUT: signs a UKI with Debian's snakeoil db key (the key OVMF's snakeoil VARS trust).
e2e_sign() {
        e2e_need_tools sbsign
        [ -r "$OVMF_KEYS/PkKek-1-snakeoil.key" ] || e2e_skip "no $OVMF_KEYS/PkKek-1-snakeoil.key (Debian package ovmf)"
        local key=$E2E_WORK/snakeoil.key
        # Debian ships the snakeoil key encrypted with the passphrase "snakeoil" (README.Debian).
        openssl pkey -in "$OVMF_KEYS/PkKek-1-snakeoil.key" -passin pass:snakeoil -out "$key" 2>/dev/null ||
                cp "$OVMF_KEYS/PkKek-1-snakeoil.key" "$key"
        sbsign --key "$key" --cert "$OVMF_KEYS/PkKek-1-snakeoil.pem" --output "$2" "$1" >"$E2E_WORK/sbsign.log" 2>&1 ||
                e2e_fail "sbsign of $1 failed: $(tail -n 1 "$E2E_WORK/sbsign.log")"
}

# e2e_image TYPE OUT NAME [mkimage options...]: a root image whose /sbin/init is demo-init.
e2e_image() {
        local type=$1 out=$2 name=$3
        shift 3
        [ -x "${DEMO_INIT:-}" ] || e2e_fail "DEMO_INIT (the static demo init) is not set or not built"
        "$MKIMAGE" --type "$type" --init "$DEMO_INIT" --name "$name" "$@" --output "$out" ||
                e2e_fail "mkimage --type $type failed"
}

# e2e_compress FILE: FILE.zst next to it; FILE is removed.
e2e_compress() {
        zstd -q -f -T0 -10 --rm "$1" -o "$1.zst" || e2e_fail "zstd $1 failed"
}

# e2e_sha256sums DIR: SHA256SUMS over every image in DIR (names relative, as a server lists them).
# SHA256SUMS* is left out: the list's own temporary exists while find runs (the shell creates it first).
e2e_sha256sums() {
        (cd "$1" && find . -maxdepth 1 -type f ! -name 'SHA256SUMS*' ! -name '*.efi' -printf '%P\n' | LC_ALL=C sort |
                xargs -r sha256sum >SHA256SUMS.tmp && mv SHA256SUMS.tmp SHA256SUMS)
}

# e2e_vm [pullboot-vm options...]: boots with the console and server log in $LOG; sets VM_RC.
# On an overloaded host the firmware's own HTTP download of the UKI can time out; that happens
# before any of our code runs, so such a run ends at once and is retried once (not when the
# firmware says the file is missing or refused by Secure Boot: that is an answer, not bad luck).
e2e_vm() {
        local attempt fw_fail=()
        # Only an HTTP boot has one entry that must load; a disk boot may try others first.
        [[ " $* " == *" --boot "* ]] && fw_fail=(--fail 'BdsDxe: failed to load Boot')
        for attempt in 1 2; do
                echo "+ pullboot-vm $*"
                VM_T0=$SECONDS
                VM_RC=0
                "$PULLBOOT_VM" --timestamps --timeout "$E2E_TIMEOUT" --log "$LOG" "${fw_fail[@]}" "$@" ||
                        VM_RC=$?
                VM_SECONDS=$((SECONDS - VM_T0))
                echo "pullboot-vm exited with $VM_RC after $VM_SECONDS s"
                if [ "$attempt" = 1 ] && [ "$VM_RC" = 1 ] && [ ${#fw_fail[@]} -gt 0 ] &&
                   grep -q 'BdsDxe: failed to load Boot' "$LOG" &&
                   ! grep -Eq 'BdsDxe: failed to load Boot.*: (Not Found|Access Denied|Security Violation)' "$LOG"; then
                        echo "note: the firmware failed to load the boot entry ($(grep -o 'BdsDxe: failed to load Boot.*' "$LOG" |
                                sed -n 1p | tr -d '\r')); retrying once"
                        mv "$LOG" "$LOG.attempt1"
                        continue
                fi
                break
        done
}

# Console lines without the timestamp prefix and carriage returns. (Callers use grep without -q:
# with pipefail, grep -q quitting early would make sed's SIGPIPE fail the pipeline.)
e2e_console() {
        sed -e 's/\r//g' -e 's/^\[ *[0-9.]*\] //' "$LOG"
}

e2e_assert_console() {
        e2e_console | grep -E -- "$1" >/dev/null || e2e_fail "${2:-the console did not show /$1/}"
        echo "ok: console shows /$1/"
}

e2e_assert_no_console() {
        if e2e_console | grep -E -- "$1" >/dev/null; then
                e2e_fail "${2:-the console showed /$1/}: $(e2e_console | grep -E -- "$1" | sed -n 1p)"
        fi
        echo "ok: console does not show /$1/"
}

# Server events: "GET /demo.raw.zst bytes=1000- -> 206, 123 bytes".
e2e_http() {
        e2e_console | sed -n 's/^pullboot-vm: http: //p'
}

e2e_assert_http() {
        e2e_http | grep -E -- "$1" >/dev/null || e2e_fail "${2:-the server log has no request matching /$1/}"
        echo "ok: server log has /$1/"
}

e2e_assert_no_http() {
        if e2e_http | grep -E -- "$1" >/dev/null; then
                e2e_fail "${2:-the server log has a request matching /$1/}: $(e2e_http | grep -E -- "$1" | sed -n 1p)"
        fi
        echo "ok: server log has no /$1/"
}

e2e_count_http() {
        e2e_http | grep -Ec -- "$1" || true
}

# Seconds (host clock, from --timestamps) of the first console line matching REGEX after the
# last (re)start of QEMU, or empty.
e2e_time_of() {
        awk -v re="$1" '
                /pullboot-vm: QEMU started/ { t = "" ; started = 1 }
                started && t == "" {
                        line = $0
                        sub(/^\[ *[0-9.]+\] /, "", line)
                        if (line ~ re) { s = $0; sub(/^\[ */, "", s); sub(/\].*/, "", s); t = s }
                }
                END { print t }' "$LOG" | tr -d '\r'
}

# Per-phase times of the boot in $LOG (host clock): prints one table row and records it in
# $PB_BUILD/test/e2e/boot/phases/$E2E_NAME.tsv for the suite's summary table.
#   firmware  QEMU start -> Linux's EFI stub runs (firmware, HTTP download of the UKI, our stub)
#   kernel    -> pullboot started as PID 1 of the initrd
#   network   -> network up (module loading, DHCP)
#   download  -> image pulled, decompressed and verified
#   root      -> root file system mounted
#   init      -> the root's /sbin/init printed its banner
#   total     -> the banner (or, when the boot failed on purpose, the last phase it reached)
E2E_PHASE_HEADER='scenario                    firmware  kernel  network  download   root   init   total'
e2e_phases() {
        local t0 tk ts tn td tr ti
        t0=$(e2e_time_of 'pullboot-vm: QEMU started')
        tk=$(e2e_time_of '^EFI stub: |Linux version|Decompressing Linux')
        ts=$(e2e_time_of '^pullboot: started at uptime')
        tn=$(e2e_time_of '^pullboot: network up after')
        td=$(e2e_time_of '^pullboot: download finished after')
        tr=$(e2e_time_of '^pullboot: root mounted after')
        ti=$(e2e_time_of '^pullboot demo: init ran')
        local row
        row=$(awk -v n="$E2E_NAME" -v t0="$t0" -v tk="$tk" -v ts="$ts" -v tn="$tn" -v td="$td" -v tr="$tr" -v ti="$ti" '
                function d(a, b) { return (a == "" || b == "") ? "-" : sprintf("%.1f", b - a) }
                BEGIN {
                        # A phase that did not happen (no pull) is "-"; the next one counts from the
                        # last phase that did.
                        prev = ts
                        net = d(ts, tn); if (tn != "") prev = tn
                        dl = d(prev, td); if (td != "") prev = td
                        last = ti
                        if (last == "") last = tr
                        if (last == "") last = prev
                        printf "%-26s %9s %7s %8s %9s %6s %6s %7s\n", n, d(t0, tk), d(tk, ts), net, dl,
                               d(prev, tr), d(tr, ti), d(t0, last)
                }')
        echo "$E2E_PHASE_HEADER"
        echo "$row"
        mkdir -p "$PB_BUILD/test/e2e/boot/phases"
        echo "$row" >"$PB_BUILD/test/e2e/boot/phases/$E2E_NAME.tsv"
}

# The banner demo-init prints: "pullboot demo: init ran from NAME (root DEV) booted from URL".
e2e_banner_regex() {
        local name=$1 url=$2
        printf '^pullboot demo: init ran from %s \\(root [^)]*\\) booted from %s$' \
                "$(e2e_regex_quote "$name")" "$(e2e_regex_quote "$url")"
}

e2e_regex_quote() {
        printf '%s' "$1" | sed -e 's/[][\.^$*+?(){}|/]/\\&/g'
}

# The URL base the embedded server was reachable under, from pullboot-vm's log.
e2e_url_base() {
        e2e_console | sed -n 's/^pullboot-vm: serving .* (guest: \(http:[^)]*\))$/\1/p' | sed -n 1p
}
