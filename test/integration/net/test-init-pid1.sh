#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# `pullboot init` as a real PID 1, without a VM: in a new PID and mount namespace, chrooted into a
# tmpfs that plays the initramfs (pullboot at /init with its libraries, options in
# /etc/cmdline.d). It mounts the API file systems, pulls a root image from 127.0.0.1, attaches
# it, mounts it, switches root (emptying the fake initramfs) and execs the image's init with the
# arguments init got. Failure actions run for real: reboot(2) in a PID namespace only ends that
# namespace (SIGHUP for reboot, SIGINT for poweroff/halt), so it is safe to test here.
# Not parallel with other tests: root=gpt-auto wants exactly one loop device named "rootdisk".
# Usage: test-init-pid1.sh PULLBOOT SRCDIR
set -u

PULLBOOT=${1:?usage: test-init-pid1.sh PULLBOOT SRCDIR}
SRC=${2:?usage: test-init-pid1.sh PULLBOOT SRCDIR}
skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root (namespaces, mounts, loop devices)"
for t in unshare chroot python3 zstd ldd busybox sfdisk mkfs.ext4 mcopy; do
        command -v "$t" >/dev/null || skip "$t is missing"
done
ldd "$(command -v busybox)" >/dev/null 2>&1 && skip "busybox is not static (install busybox-static)"
unshare --pid --fork --mount true 2>/dev/null || skip "cannot create PID and mount namespaces here"
[ -e /dev/loop-control ] || modprobe loop 2>/dev/null; [ -e /dev/loop-control ] || skip "no loop device support (/dev/loop-control)"

TMP=$(mktemp -d)
SERVER=
FAILED=0
cleanup() {
        [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null && wait "$SERVER" 2>/dev/null
        umount -l "$TMP/initramfs" 2>/dev/null
        rm -rf "$TMP"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; FAILED=$((FAILED + 1)); }
ok() { echo "ok: $*"; }

# The root images: /sbin/init reports that it runs as PID 1 in the new root, and with what.
cat >"$TMP/init.sh" <<'EOF2'
#!/bin/busybox sh
/bin/busybox echo "NEWROOT pid=$$ argv0=$0 args=$* release=$(/bin/busybox cat /etc/demo-release)"
/bin/busybox echo "NEWROOT mounts: $(/bin/busybox awk '$2 ~ /^\/(dev|proc|sys|run)$/ {printf "%s ", $2}' /proc/mounts)"
/bin/busybox echo "NEWROOT images: $(/bin/busybox ls /run/machines)"
/bin/busybox echo "NEWROOT pullboot env: $(/bin/busybox env | /bin/busybox grep -c '^PULLBOOT')"
EOF2
mkdir -p "$TMP/srv"
BB=$(command -v busybox)
"$SRC/test/helpers/mkimage" --type raw --init "$TMP/init.sh" --name raw-root --add "$BB:/bin/busybox" \
        --output "$TMP/rootdisk.raw" >/dev/null || { echo "FAIL: mkimage raw"; exit 1; }
zstd -q "$TMP/rootdisk.raw" -o "$TMP/srv/rootdisk.raw.zst"
"$SRC/test/helpers/mkimage" --type tar --init "$TMP/init.sh" --name tar-root --add "$BB:/bin/busybox" \
        --output "$TMP/root.tar" >/dev/null || { echo "FAIL: mkimage tar"; exit 1; }
zstd -q "$TMP/root.tar" -o "$TMP/srv/root.tar.zst"

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
BASE=http://127.0.0.1:$(cat "$TMP/port")

# make_initramfs [with-shell]: a fresh tmpfs with /init and the libraries it needs.
make_initramfs() {
        umount -l "$TMP/initramfs" 2>/dev/null
        mkdir -p "$TMP/initramfs"
        mount -t tmpfs -o mode=0755 tmpfs "$TMP/initramfs" || exit 1
        local R=$TMP/initramfs
        # Merged /usr, as on Debian: klibc's ipconfig asks for /lib/klibc-*.so as its interpreter.
        mkdir -p "$R/etc/cmdline.d" "$R/usr/lib" "$R/usr/lib64"
        ln -s usr/lib "$R/lib" && ln -s usr/lib64 "$R/lib64"
        cp "$PULLBOOT" "$R/init"
        ldd "$PULLBOOT" | grep -o '/[^ ]*' | while read -r lib; do
                mkdir -p "$R$(dirname "$lib")" && cp -L "$lib" "$R$lib"
        done
        [ "${1:-}" = with-shell ] && mkdir -p "$R/bin" && cp "$BB" "$R/bin/sh"
        true
}

# boot NAME OPTIONS...: runs /init as PID 1 with OPTIONS in /etc/cmdline.d; output in NAME.out.
boot() {
        local name=$1; shift
        echo "$*" >"$TMP/initramfs/etc/cmdline.d/50-test.conf"
        # A subshell, so bash's "Hangup" notice for the signalled namespace stays out of the log.
        ( timeout 120 unshare --pid --fork --mount --propagation private \
                chroot "$TMP/initramfs" /init single extra=arg </dev/null >"$TMP/$name.out" 2>&1
          echo $? >"$TMP/$name.rc" ) 2>/dev/null
        # pullboot keeps loop devices attached for the booted system; this "system" is gone.
        sed -n 's/^pullboot: .* attached as \(\/dev\/loop[0-9]*\) .*/\1/p' "$TMP/$name.out" | while read -r dev; do
                losetup -d "$dev" 2>/dev/null
        done
}

# --- 1. raw DDI: pulled, attached as "rootdisk.raw", root=gpt-auto, switch_root ---
make_initramfs
boot raw "rd.systemd.pull=raw,machine,blockdev,verify=no:rootdisk:$BASE/rootdisk.raw.zst root=gpt-auto pullboot.net=none pullboot.failure=poweroff"
rc=$(cat "$TMP/raw.rc")
if grep -q '^NEWROOT pid=1 argv0=/sbin/init args=single extra=arg release=raw-root$' "$TMP/raw.out"; then
        ok "raw: the image's init runs as PID 1 with init's arguments"
else
        fail "raw: new root's init did not run (exit $rc): $(cat "$TMP/raw.out")"
fi
mounts=$(sed -n 's/^NEWROOT mounts: //p' "$TMP/raw.out" | tr ' ' '\n' | sort | tr '\n' ' ')
[ "$mounts" = " /dev /proc /run /sys " ] || fail "raw: API mounts not moved: '$mounts'"
grep -q '^NEWROOT images: rootdisk.raw$' "$TMP/raw.out" || fail "raw: /run not carried over"
grep -q '^NEWROOT pullboot env: 0$' "$TMP/raw.out" || fail "raw: pullboot's environment leaked into init"
[ "$(grep -c '^pullboot: started at uptime' "$TMP/raw.out")" = 1 ] || fail "raw: the re-exec printed the start twice"
phases=$(sed -n 's/^pullboot: \(.*\) after [0-9]*\.[0-9] s.*$/\1/p' "$TMP/raw.out" | tr '\n' ,)
[ "$phases" = "modules loaded,download finished,root mounted,switching root," ] || fail "raw: phases: $phases"
mib=$(stat -c %s "$TMP/rootdisk.raw" | awk '{ printf "%.1f", $1 / 1048576 }')
grep -q "download finished after [0-9]*\.[0-9] s: $BASE/rootdisk.raw.zst ($mib MiB)$" "$TMP/raw.out" ||
        fail "raw: download line, expected $mib MiB: $(grep 'download finished' "$TMP/raw.out")"
grep -q 'root /dev/loop[0-9]*p2 (ext4, ro) mounted on /sysroot' "$TMP/raw.out" || fail "raw: root line: $(grep 'root ' "$TMP/raw.out")"
left=$(ls -A "$TMP/initramfs" | tr '\n' ' ')
[ "$left" = "sysroot " ] || fail "raw: initramfs not emptied, left: $left"
grep -q '^pullboot: started at uptime' "$TMP/raw.out" || fail "raw: no uptime line"
grep -E '^pullboot: .* after ' "$TMP/raw.out" | sed 's/^/    /'

# --- 2. tar image: unpacked below /run, root=bind: ---
make_initramfs
boot tar "rd.systemd.pull=tar,machine,verify=no:root:$BASE/root.tar.zst root=bind:/run/machines/root pullboot.net=none"
grep -q '^NEWROOT pid=1 argv0=/sbin/init args=single extra=arg release=tar-root$' "$TMP/tar.out" &&
        ok "tar: bind-mounted tree, its init runs as PID 1" || fail "tar: $(cat "$TMP/tar.out")"

# --- 3. init= names another program in the new root ---
make_initramfs
boot initarg "rd.systemd.pull=tar,machine,verify=no:root:$BASE/root.tar.zst root=bind:/run/machines/root pullboot.net=none init=/bin/busybox"
# busybox run as "/bin/busybox single extra=arg": an unknown applet, so it says so and exits.
grep -q 'single: applet not found' "$TMP/initarg.out" && ok "init=/bin/busybox is what runs" ||
        fail "init=: $(tail -n3 "$TMP/initarg.out")"

# An init= that the image does not have: caught before leaving the initramfs.
make_initramfs
boot noinit "rd.systemd.pull=tar,machine,verify=no:root:$BASE/root.tar.zst root=bind:/run/machines/root pullboot.net=none init=/sbin/nothere pullboot.failure=halt"
rc=$(cat "$TMP/noinit.rc")
grep -q '^pullboot: boot failed: no init in the root file system (/sbin/nothere)' "$TMP/noinit.out" &&
        grep -q '^pullboot: halting now' "$TMP/noinit.out" && [ "$rc" = 130 ] && [ -e "$TMP/initramfs/init" ] &&
        ok "init=/sbin/nothere: refused before switch_root, initramfs intact, halted" ||
        fail "init=/sbin/nothere: exit $rc: $(tail -n3 "$TMP/noinit.out")"

# --- 4. failure actions for real (in the PID namespace) ---
make_initramfs
boot poweroff "rd.systemd.pull=raw,machine,blockdev,verify=no:rootdisk:$BASE/missing.raw.zst root=gpt-auto pullboot.net=none pullboot.failure=poweroff"
rc=$(cat "$TMP/poweroff.rc")
grep -q "^pullboot: boot failed: cannot pull $BASE/missing.raw.zst (rd.systemd.pull): not found" "$TMP/poweroff.out" ||
        fail "poweroff: message: $(grep 'boot failed' "$TMP/poweroff.out")"
grep -q '^pullboot: powering off now' "$TMP/poweroff.out" || fail "poweroff: action: $(tail -n2 "$TMP/poweroff.out")"
grep -q 'NEWROOT\|root mounted' "$TMP/poweroff.out" && fail "poweroff: booted anyway"
[ "$rc" = 130 ] || fail "poweroff: PID 1 did not end with SIGINT (exit $rc)"
[ "$rc" = 130 ] && ok "missing image: message, then poweroff (PID 1 ended by SIGINT)"

# systemd's failure action overrides pullboot.failure= for pull failures: reboot -> SIGHUP.
make_initramfs
boot reboot "rd.systemd.pull=raw,machine,blockdev,verify=no:rootdisk:$BASE/missing.raw.zst root=gpt-auto pullboot.net=none pullboot.failure=halt rd.systemd.pull.failure_action=reboot-force"
rc=$(cat "$TMP/reboot.rc")
grep -q '^pullboot: rebooting now' "$TMP/reboot.out" && [ "$rc" = 129 ] &&
        ok "rd.systemd.pull.failure_action=reboot-force: rebooted (SIGHUP)" || fail "reboot: exit $rc: $(tail -n2 "$TMP/reboot.out")"

# The default with a shell in the initrd: the shell (here on /dev/null, so it exits), then reboot.
make_initramfs with-shell
boot shell "root=gpt-auto rd.systemd.pull=raw,machine,blockdev,verify=no:rootdisk:$BASE/missing.raw.zst pullboot.net=none"
rc=$(cat "$TMP/shell.rc")
grep -q '^pullboot: starting /bin/sh' "$TMP/shell.out" && grep -q '^pullboot: rebooting now' "$TMP/shell.out" &&
        [ "$rc" = 129 ] && ok "default failure action with /bin/sh: shell, then reboot" ||
        fail "shell: exit $rc: $(tail -n3 "$TMP/shell.out")"

# --- 5. Network boot: DHCP from dnsmasq over a veth pair, image from a server on that network ---
if command -v ip >/dev/null && [ -x /usr/sbin/dnsmasq ] && [ -x /usr/lib/klibc/bin/ipconfig ]; then
        CNS=pb$$-c SNS=pb$$-s
        ip netns add "$CNS" && ip netns add "$SNS" &&
        ip link add eth0 address 52:54:00:12:34:56 netns "$CNS" type veth peer name srv0 netns "$SNS" &&
        ip -n "$SNS" addr add 10.77.3.1/24 dev srv0 && ip -n "$SNS" link set srv0 up &&
        ip -n "$SNS" link set lo up || fail "net: cannot set up namespaces"
        ip netns exec "$SNS" /usr/sbin/dnsmasq --no-daemon --conf-file=/dev/null --port=0 --bind-interfaces \
                --no-ping --interface=srv0 --dhcp-range=10.77.3.100,10.77.3.150,255.255.255.0,1h \
                --dhcp-option=3,10.77.3.1 --dhcp-option=6,10.77.3.53 --dhcp-leasefile="$TMP/leases" --pid-file= \
                >"$TMP/dnsmasq.log" 2>&1 &
        DNSMASQ=$!
        ip netns exec "$SNS" python3 -c '
import http.server, os, sys
os.chdir(sys.argv[1])
class H(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a): pass
http.server.ThreadingHTTPServer(("10.77.3.1", 8080), H).serve_forever()' "$TMP/srv" &
        NETSERVER=$!
        sleep 0.5

        make_initramfs
        R=$TMP/initramfs
        mkdir -p "$R/usr/lib/klibc/bin" && cp /usr/lib/klibc/bin/ipconfig "$R/usr/lib/klibc/bin/" &&
                cp /usr/lib/klibc-*.so "$R/usr/lib/"
        echo "rd.systemd.pull=raw,machine,blockdev,verify=no:rootdisk:http://10.77.3.1:8080/rootdisk.raw.zst root=gpt-auto pullboot.dhcp-timeout=10" \
                >"$R/etc/cmdline.d/50-test.conf"
        ( timeout 120 ip netns exec "$CNS" unshare --pid --fork --mount --propagation private \
                chroot "$R" /init </dev/null >"$TMP/net.out" 2>&1; echo $? >"$TMP/net.rc" ) 2>/dev/null
        sed -n 's/^pullboot: .* attached as \(\/dev\/loop[0-9]*\) .*/\1/p' "$TMP/net.out" | while read -r dev; do
                losetup -d "$dev" 2>/dev/null
        done
        phases=$(sed -n 's/^pullboot: \(.*\) after [0-9]*\.[0-9] s.*$/\1/p' "$TMP/net.out" | tr '\n' ,)
        if grep -q '^NEWROOT pid=1 .*release=raw-root$' "$TMP/net.out" &&
           [ "$phases" = "modules loaded,network up,download finished,root mounted,switching root," ] &&
           grep -q '^pullboot: eth0 (52:54:00:12:34:56): 10.77.3.1[0-9][0-9]/24 by DHCP, 1 DNS server(s)$' "$TMP/net.out"; then
                ok "network boot: DHCP on eth0, pulled over the veth, switched root"
                grep -E '^pullboot: .* after ' "$TMP/net.out" | sed 's/^/    /'
        else
                fail "network boot: exit $(cat "$TMP/net.rc"), phases $phases: $(cat "$TMP/net.out")"
        fi
        kill "$DNSMASQ" "$NETSERVER" 2>/dev/null
        wait "$DNSMASQ" "$NETSERVER" 2>/dev/null
        ip netns del "$CNS"
        ip netns del "$SNS"
else
        echo "note: network boot scenario skipped (needs ip, dnsmasq and klibc ipconfig)"
fi

[ "$FAILED" = 0 ] || { echo "$FAILED check(s) failed"; exit 1; }
echo "all checks passed"
