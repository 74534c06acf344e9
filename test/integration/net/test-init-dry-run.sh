#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# `pullboot init --dry-run`: the whole boot sequence except mounts, modules, loop devices and
# switch_root, against images served from 127.0.0.1 and file:// URLs. Checks the phase lines the
# e2e suite parses, the bytes that land, and that failures give one message, the right action and
# no image at the target.
# Usage: test-init-dry-run.sh PULLBOOT
set -u

PULLBOOT=${1:?usage: test-init-dry-run.sh PULLBOOT}
command -v python3 >/dev/null || { echo "SKIP: python3 (for a local HTTP server) is missing"; exit 77; }
command -v zstd >/dev/null || { echo "SKIP: zstd is missing"; exit 77; }

TMP=$(mktemp -d)
SERVER=
FAILED=0
cleanup() {
        [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null
        rm -rf "$TMP"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; FAILED=$((FAILED + 1)); }
ok() { echo "ok: $*"; }

mkdir -p "$TMP/srv/boot"
head -c 3145728 /dev/urandom >"$TMP/image.raw"   # 3.0 MiB
zstd -q "$TMP/image.raw" -o "$TMP/srv/boot/image.raw.zst"
SHA=$(sha256sum "$TMP/srv/boot/image.raw.zst" | cut -d' ' -f1)
head -c 1000 "$TMP/srv/boot/image.raw.zst" >"$TMP/srv/boot/broken.raw.zst"

python3 -c '
import http.server, os, sys
os.chdir(sys.argv[1])
class H(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a): pass
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()' "$TMP/srv" >"$TMP/port" &
SERVER=$!
for _ in $(seq 50); do [ -s "$TMP/port" ] && break; sleep 0.1; done
PORT=$(cat "$TMP/port")
[ -n "$PORT" ] || { echo "FAIL: local HTTP server did not start"; exit 1; }
BASE=http://127.0.0.1:$PORT/boot

# run NAME ARGS...: pullboot init --dry-run with a fresh prefix; output in $TMP/NAME.out.
run() {
        local name=$1; shift
        mkdir -p "$TMP/$name"
        "$PULLBOOT" init --dry-run --prefix "$TMP/$name" "$@" >"$TMP/$name.out" 2>&1
}

# The phase lines, in order, with "after S.S s".
phases() {
        sed -n 's/^pullboot: \(.*\) after [0-9]*\.[0-9] s.*$/\1/p' "$TMP/$1.out" | tr '\n' ,
}

# --- 1. bootorigin: the sibling of the UKI's URL is pulled, sha256-pinned, no network step ---
if run ok --origin "$BASE/image.efi" \
        --cmdline "rd.systemd.pull=raw,machine,blockdev,verify=sha256:$SHA,bootorigin:rootdisk: root=gpt-auto pullboot.net=none"; then
        [ "$(phases ok)" = "modules loaded,download finished,root mounted,switching root," ] ||
                fail "phases: $(phases ok)"
        grep -qE "^pullboot: download finished after [0-9]+\.[0-9] s: $BASE/image\.raw\.zst \(3\.0 MiB\)$" "$TMP/ok.out" ||
                fail "download line: $(grep 'download finished' "$TMP/ok.out")"
        grep -qE '^pullboot: started at uptime [0-9]+\.[0-9] s$' "$TMP/ok.out" || fail "no uptime line"
        grep -q 'network: skipped (pullboot.net=none)' "$TMP/ok.out" || fail "network not skipped"
        cmp -s "$TMP/image.raw" "$TMP/ok/run/machines/rootdisk.raw" || fail "pulled image differs from the original"
        grep -q 'would attach .*/run/machines/rootdisk.raw' "$TMP/ok.out" || fail "no attach step"
        ok "bootorigin pull: $(grep 'download finished' "$TMP/ok.out")"
else
        fail "bootorigin pull: exit $?: $(cat "$TMP/ok.out")"
fi

# --- 2. The image is missing on the server: one message with the URL, the action, no file ---
run missing --origin "$BASE/nothere.efi" --cmdline "rd.systemd.pull=raw,machine,blockdev,verify=no,bootorigin:rootdisk: root=gpt-auto pullboot.net=none pullboot.failure=reboot"
rc=$?
[ "$rc" = 1 ] || fail "missing: exit $rc, expected 1"
grep -q "^pullboot: boot failed: cannot pull $BASE/nothere.raw.zst or the other candidates (rd.systemd.pull): not found on the server" "$TMP/missing.out" ||
        fail "missing: message: $(grep 'boot failed' "$TMP/missing.out")"
grep -q '^pullboot: action: reboot (not PID 1' "$TMP/missing.out" || fail "missing: action not reboot"
grep -q 'root mounted\|switching root' "$TMP/missing.out" && fail "missing: went on to mount the root"
[ -z "$(find "$TMP/missing" -type f)" ] || fail "missing: files left: $(find "$TMP/missing" -type f)"
[ "$rc" = 1 ] && ok "missing image: $(grep 'boot failed' "$TMP/missing.out")"

# --- 3. A corrupt download: no root from a partial image; systemd's failure action wins ---
run broken --cmdline "rd.systemd.pull=raw,machine,blockdev,verify=no:rootdisk:$BASE/broken.raw.zst root=gpt-auto pullboot.net=none rd.systemd.pull.failure_action=poweroff-force pullboot.failure=shell"
rc=$?
[ "$rc" = 1 ] || fail "broken: exit $rc, expected 1"
grep -q '^pullboot: action: poweroff (not PID 1' "$TMP/broken.out" || fail "broken: action not poweroff: $(cat "$TMP/broken.out")"
grep -q 'root mounted' "$TMP/broken.out" && fail "broken: mounted a root from a partial image"
[ -z "$(find "$TMP/broken" -type f)" ] || fail "broken: files left: $(find "$TMP/broken" -type f)"
[ "$rc" = 1 ] && ok "corrupt image: $(grep 'boot failed' "$TMP/broken.out" | cut -c1-120)"

# --- 4. A wrong pinned digest: refused, nothing at the target ---
BAD=$(printf '%064d' 0)
run badsum --origin "$BASE/image.efi" --cmdline "rd.systemd.pull=raw,machine,blockdev,verify=sha256:$BAD,bootorigin:rootdisk: root=gpt-auto pullboot.net=none"
rc=$?
[ "$rc" = 1 ] && [ -z "$(find "$TMP/badsum" -type f)" ] && ok "wrong sha256: refused, no file" ||
        fail "wrong sha256: exit $rc, files: $(find "$TMP/badsum" -type f)"

# --- 5. bootorigin without an origin: no pull, the normal root= on a local disk ---
if run noorigin --origin "" --cmdline "rd.systemd.pull=raw,machine,blockdev,bootorigin:rootdisk: root=LABEL=local-root"; then
        [ "$(phases noorigin)" = "modules loaded,root mounted,switching root," ] || fail "no origin: phases: $(phases noorigin)"
        grep -q 'network: not needed' "$TMP/noorigin.out" || fail "no origin: network was not skipped"
        grep -q 'would mount root=LABEL=local-root' "$TMP/noorigin.out" || fail "no origin: root"
        ok "no origin: falls back to root=LABEL=local-root"
else
        fail "no origin: exit $?: $(cat "$TMP/noorigin.out")"
fi

# --- 6. file:// URL (local use), no network needed, tar image unpacked, init= honoured ---
mkdir -p "$TMP/tree/sbin" && echo hello >"$TMP/tree/sbin/init"
tar -C "$TMP/tree" -cf - . | zstd -q -o "$TMP/srv/boot/root.tar.zst"
if run tar --cmdline "rd.systemd.pull=tar,machine,verify=no:root:file://$TMP/srv/boot/root.tar.zst root=bind:/run/machines/root init=/sbin/init"; then
        grep -q 'network: not needed' "$TMP/tar.out" || fail "file://: network not skipped"
        [ "$(cat "$TMP/tar/run/machines/root/sbin/init" 2>/dev/null)" = hello ] || fail "file://: tree not unpacked"
        grep -qE "download finished after [0-9.]+ s: file://$TMP/srv/boot/root.tar.zst \(0\.0 MiB\)" "$TMP/tar.out" ||
                fail "file://: download line: $(grep 'download finished' "$TMP/tar.out")"
        grep -q 'would switch root to /sysroot and run /sbin/init' "$TMP/tar.out" || fail "file://: init"
        ok "file:// tar image unpacked"
else
        fail "file:// tar: exit $?: $(cat "$TMP/tar.out")"
fi

# --- 7. success_action: an installer-style boot stops after the pulls ---
if run success --cmdline "rd.systemd.pull=tar,machine,verify=no:root:file://$TMP/srv/boot/root.tar.zst root=tmpfs rd.systemd.pull.success_action=reboot"; then
        grep -q '^pullboot: action: reboot (not PID 1' "$TMP/success.out" || fail "success action: $(cat "$TMP/success.out")"
        grep -q 'root mounted' "$TMP/success.out" && fail "success action: went on booting"
        ok "success_action=reboot stops after the pulls"
else
        fail "success action: exit $?: $(cat "$TMP/success.out")"
fi

# --- 8. Input errors: no root=, bad option values ---
run noroot --cmdline "quiet pullboot.failure=halt"
rc=$?
[ "$rc" = 1 ] && grep -q 'boot failed: no root=' "$TMP/noroot.out" && grep -q 'action: halt' "$TMP/noroot.out" &&
        ok "no root=: $(grep 'boot failed' "$TMP/noroot.out")" || fail "no root=: exit $rc: $(cat "$TMP/noroot.out")"
run badopt --cmdline "root=tmpfs pullboot.net=carrier-pigeon"
rc=$?
[ "$rc" = 1 ] && grep -q 'pullboot.net=carrier-pigeon: expected dhcp, firmware or none' "$TMP/badopt.out" &&
        ok "bad pullboot.net=: refused" || fail "bad pullboot.net=: exit $rc: $(cat "$TMP/badopt.out")"
run badredirect --cmdline "root=tmpfs pullboot.allow-insecure-redirect=perhaps"
rc=$?
[ "$rc" = 1 ] && grep -q 'pullboot.allow-insecure-redirect=perhaps: expected yes or no' "$TMP/badredirect.out" &&
        ok "bad pullboot.allow-insecure-redirect=: refused" ||
        fail "bad pullboot.allow-insecure-redirect=: exit $rc: $(cat "$TMP/badredirect.out")"
# A non-volatile PullbootNetInfo (attributes 0x7: not written during this boot) is ignored with a
# warning naming it, so pullboot.net=firmware finds no record.
mkdir -p "$TMP/efivars"
printf '\007\000\000\000mac=52:54:00:12:34:56\nipv4=10.0.2.15/24\n' \
        >"$TMP/efivars/PullbootNetInfo-c9401eab-f608-4319-bb31-27984b190c66"
EFIVARFS_PATH="$TMP/efivars/" run plantednet --cmdline \
        "rd.systemd.pull=raw,machine,verify=no:x:http://127.0.0.1:1/x.raw root=tmpfs pullboot.net=firmware pullboot.failure=halt"
rc=$?
[ "$rc" = 1 ] && grep -q 'ignoring EFI variable PullbootNetInfo: its attributes 0x7 are not 0x6' "$TMP/plantednet.out" &&
        ok "non-volatile PullbootNetInfo: ignored" || fail "non-volatile PullbootNetInfo: exit $rc: $(cat "$TMP/plantednet.out")"
# A dry run never touches the host's network: with a valid record naming an address it says what it
# would do, configures nothing and writes no resolv.conf (an earlier version wrote the host's
# /etc/resolv.conf and put the guest's address on a host interface).
printf '\006\000\000\000mac=52:54:00:12:34:56\nipv4=10.0.2.15/24\ngateway=10.0.2.2\ndns=10.0.2.3\n' \
        >"$TMP/efivars/PullbootNetInfo-c9401eab-f608-4319-bb31-27984b190c66"
addrs_before=$(ip -o addr show 2>/dev/null | awk '{print $2, $4}' | sort)
EFIVARFS_PATH="$TMP/efivars/" run drynet --resolv-conf "$TMP/resolv.conf" --cmdline \
        "rd.systemd.pull=raw,machine,verify=no:x:http://127.0.0.1:1/x.raw root=tmpfs pullboot.net=firmware pullboot.failure=halt"
addrs_after=$(ip -o addr show 2>/dev/null | awk '{print $2, $4}' | sort)
grep -q 'network: would bring it up with pullboot.net=firmware (dry run' "$TMP/drynet.out" &&
        [ ! -e "$TMP/resolv.conf" ] && [ "$addrs_before" = "$addrs_after" ] &&
        ok "dry run: the host's network is left alone" ||
        fail "dry run touched the network: resolv.conf $(cat "$TMP/resolv.conf" 2>&1); $(cat "$TMP/drynet.out")"
"$PULLBOOT" init --cmdline root=tmpfs >"$TMP/nodry.out" 2>&1
rc=$?
[ "$rc" = 2 ] && grep -q 'only runs with --dry-run' "$TMP/nodry.out" && ok "init without --dry-run outside PID 1: refused" ||
        fail "init without --dry-run: exit $rc: $(cat "$TMP/nodry.out")"

[ "$FAILED" = 0 ] || { echo "$FAILED check(s) failed"; exit 1; }
echo "all checks passed"
