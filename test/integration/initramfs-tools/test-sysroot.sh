#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# `pullboot init --sysroot DIR [--no-network]`, what initramfs-tools' boot script runs, checked
# without a VM through --dry-run (a real run would load modules and mount on this host): the
# root goes on DIR, the network is left to the caller, nothing switches root, and a failure
# reports its action without performing it. Usage: test-sysroot.sh PULLBOOT
set -u
PULLBOOT=${1:?usage: test-sysroot.sh PULLBOOT}
command -v zstd >/dev/null || { echo "SKIP: zstd is missing"; exit 77; }

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
FAILED=0
fail() { echo "FAIL: $*"; FAILED=$((FAILED + 1)); }
ok() { echo "ok: $*"; }

mkdir -p "$TMP/srv" "$TMP/prefix"
head -c 1048576 /dev/urandom | zstd -q -o "$TMP/srv/image.raw.zst"

# run NAME EXPECTED-EXIT ARGS...: output in $TMP/NAME.out
run() {
        local name=$1 want=$2 rc=0
        shift 2
        "$PULLBOOT" init "$@" >"$TMP/$name.out" 2>&1 || rc=$?
        if [ "$rc" != "$want" ]; then
                fail "$name: exit status $rc, want $want"
                sed 's/^/    /' "$TMP/$name.out"
                return 1
        fi
}
has() { grep -Eq -- "$2" "$TMP/$1.out" || { fail "$1: no line /$2/"; sed 's/^/    /' "$TMP/$1.out"; return 1; }; }
hasnt() { ! grep -Eq -- "$2" "$TMP/$1.out" || { fail "$1: a line /$2/"; return 1; }; }

# Outside PID 1 one of --dry-run and --sysroot is required; --sysroot wants an absolute path.
run neither 2 --cmdline 'root=tmpfs' &&
        has neither "only runs with --dry-run or --sysroot DIR" && ok "neither --dry-run nor --sysroot: usage error"
run relative 2 --sysroot root --dry-run --cmdline 'root=tmpfs' &&
        has relative "--sysroot needs an absolute directory" && ok "relative --sysroot: usage error"

# The pull from an http URL, network left to the caller, the root on DIR, no switch.
URL=file://$TMP/srv/image.raw.zst
run good 0 --dry-run --prefix "$TMP/prefix" --sysroot /root --no-network --origin "" \
        --cmdline "rd.systemd.pull=raw,machine,blockdev,verify=no:rootdisk:$URL root=gpt-auto" &&
        has good "would mount root=gpt-auto on /root \(dry run\)" &&
        has good "^pullboot: root mounted after" &&
        hasnt good "switch" &&
        ok "--sysroot /root: root on /root, no switch_root"
cmp -s "$TMP/prefix/run/machines/rootdisk.raw" <(zstd -dc "$TMP/srv/image.raw.zst") &&
        ok "the image landed decompressed" || fail "the pulled image is not the served one"

run nonet 1 --dry-run --prefix "$TMP/prefix2" --sysroot /root --no-network --origin "" \
        --cmdline "rd.systemd.pull=raw,machine,blockdev,verify=no:rootdisk:http://127.0.0.1:9/x.raw root=gpt-auto" &&
        has nonet "network: left to the calling initrd \(--no-network\)" &&
        hasnt nonet "network up" && ok "--no-network: no network step"

# A failing pull: one message, the action reported, not performed (dry run, and no initramfs).
run failure 1 --dry-run --prefix "$TMP/prefix3" --sysroot /root --no-network --origin "" \
        --cmdline "pullboot.failure=poweroff rd.systemd.pull=raw,machine,blockdev,verify=no:rootdisk:file://$TMP/srv/missing.raw.zst root=gpt-auto" &&
        has failure "^pullboot: boot failed: cannot pull file://" &&
        has failure "action: poweroff \(not PID 1, not performed\)" &&
        ok "a failed pull reports the poweroff action"

[ "$FAILED" = 0 ] || { echo "$FAILED check(s) failed"; exit 1; }
echo PASS
