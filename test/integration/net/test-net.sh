#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# `pullboot net` against a real DHCP server (dnsmasq) in network namespaces joined by veth pairs:
# DHCP, a server that never answers (bounded failure), two interfaces (the recorded MAC wins),
# and the firmware path (address, route and DNS from the stub's record, no DHCP).
# Usage: test-net.sh PULLBOOT
set -u

PULLBOOT=${1:?usage: test-net.sh PULLBOOT}
IPCONFIG=/usr/lib/klibc/bin/ipconfig
DNSMASQ=/usr/sbin/dnsmasq

skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "needs root for network namespaces"
command -v ip >/dev/null || skip "iproute2 (ip) is missing"
[ -x "$DNSMASQ" ] || skip "$DNSMASQ is missing (apt-get install dnsmasq-base)"
[ -x "$IPCONFIG" ] || skip "$IPCONFIG is missing (apt-get install klibc-utils)"

TAG=pb$$
CNS=$TAG-c   # the machine being booted
SNS=$TAG-s   # the network with the DHCP server
TMP=$(mktemp -d)
PIDS=()
FAILED=0

cleanup() {
        for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
        ip netns del "$CNS" 2>/dev/null
        ip netns del "$SNS" 2>/dev/null
        rm -rf "$TMP"
}
trap cleanup EXIT

ip netns add "$CNS" && ip netns add "$SNS" || skip "cannot create network namespaces here"

fail() { echo "FAIL: $*"; FAILED=$((FAILED + 1)); }
ok() { echo "ok: $*"; }

# veth NAME MAC SERVERNAME SERVERADDR: a link into the client namespace, its peer in the server's.
veth() {
        ip link add "$1" address "$2" netns "$CNS" type veth peer name "$3" netns "$SNS" || exit 1
        ip -n "$SNS" addr add "$4/24" dev "$3"
        ip -n "$SNS" link set "$3" up
}

# dnsmasq IFACE RANGE_START RANGE_END ROUTER DNS
dnsmasq_on() {
        ip netns exec "$SNS" "$DNSMASQ" --no-daemon --conf-file=/dev/null --port=0 --bind-interfaces --no-ping \
                --interface="$1" --dhcp-range="$2,$3,255.255.255.0,1h" --dhcp-option=3,"$4" \
                --dhcp-option=6,"$5" --dhcp-leasefile="$TMP/leases-$1" --pid-file= \
                >"$TMP/dnsmasq-$1.log" 2>&1 &
        PIDS+=($!)
}

# The client runs with its own /run (ipconfig writes /run/net-IFACE.conf) in its namespace;
# `ip netns exec` gives it a private mount namespace already.
client() {
        local out=$1; shift
        ip netns exec "$CNS" sh -c 'mount -t tmpfs tmpfs /run && exec "$@"' sh "$PULLBOOT" net "$@" \
                >"$out" 2>"$out.err"
}

veth eth-a 52:54:00:aa:00:01 srv-a 10.77.1.1
veth eth-b 52:54:00:bb:00:02 srv-b 10.77.2.1
ip -n "$CNS" link set lo up

# --- 1. DHCP on the one interface the record names ---
dnsmasq_on srv-a 10.77.1.100 10.77.1.150 10.77.1.1 10.77.1.53
sleep 0.5
printf 'mac=52:54:00:aa:00:01\n' >"$TMP/ni-a"
start=$(date +%s.%N)
if client "$TMP/out1" --cmdline 'pullboot.net=dhcp pullboot.dhcp-timeout=15' --netinfo "$TMP/ni-a" \
        --resolv-conf "$TMP/resolv1"; then
        took=$(awk -v a="$(date +%s.%N)" -v b="$start" 'BEGIN { printf "%.2f", a - b }')
        grep -qx 'IFNAME=eth-a' "$TMP/out1" || fail "dhcp: wrong interface: $(cat "$TMP/out1")"
        grep -qE '^ADDRESS=10\.77\.1\.(1[0-4][0-9]|150)/24$' "$TMP/out1" || fail "dhcp: address not from the range: $(cat "$TMP/out1")"
        grep -qx 'GATEWAY=10.77.1.1' "$TMP/out1" || fail "dhcp: gateway missing"
        grep -qx 'nameserver 10.77.1.53' "$TMP/resolv1" || fail "dhcp: resolv.conf: $(cat "$TMP/resolv1")"
        addr=$(sed -n 's/^ADDRESS=//p' "$TMP/out1")
        ip -n "$CNS" -4 addr show dev eth-a | grep -q "inet $addr" || fail "dhcp: $addr not on eth-a"
        ip -n "$CNS" route show default | grep -q 'via 10.77.1.1 dev eth-a' || fail "dhcp: no default route"
        ip -n "$CNS" -4 addr show dev eth-b | grep -q inet && fail "dhcp: eth-b was configured too"
        ok "dhcp: $(tr '\n' ' ' <"$TMP/out1")in ${took}s"
else
        fail "dhcp: exit $?: $(cat "$TMP/out1.err")"
fi
ip -n "$CNS" addr flush dev eth-a

# --- 2. Two interfaces with carrier: the recorded MAC (eth-b) wins over the first one (eth-a) ---
dnsmasq_on srv-b 10.77.2.100 10.77.2.150 10.77.2.1 10.77.2.53
sleep 0.5
printf 'mac=52:54:00:bb:00:02\n' >"$TMP/ni-b"
if client "$TMP/out2" --cmdline 'pullboot.dhcp-timeout=15' --netinfo "$TMP/ni-b" --resolv-conf "$TMP/resolv2"; then
        grep -qx 'IFNAME=eth-b' "$TMP/out2" || fail "two nics: chose $(sed -n 's/^IFNAME=//p' "$TMP/out2"), not eth-b"
        grep -qE '^ADDRESS=10\.77\.2\.' "$TMP/out2" || fail "two nics: address not from eth-b's network"
        grep -qx 'nameserver 10.77.2.53' "$TMP/resolv2" || fail "two nics: resolv.conf: $(cat "$TMP/resolv2")"
        ok "two nics: recorded MAC chose eth-b"
else
        fail "two nics: exit $?: $(cat "$TMP/out2.err")"
fi
ip -n "$CNS" addr flush dev eth-b

# Without a record the first interface with carrier is used.
if client "$TMP/out2b" --cmdline 'pullboot.dhcp-timeout=15' --netinfo /dev/null --resolv-conf "$TMP/resolv2b"; then
        grep -qx 'IFNAME=eth-a' "$TMP/out2b" || fail "no record: chose $(sed -n 's/^IFNAME=//p' "$TMP/out2b"), not eth-a"
        ok "no record: first interface with carrier (eth-a)"
else
        fail "no record: exit $?: $(cat "$TMP/out2b.err")"
fi
ip -n "$CNS" addr flush dev eth-a

# The recorded MAC is on no interface (driver missing, address changed): warn, use the first
# interface with carrier.
printf 'mac=52:54:00:ff:ff:ff\n' >"$TMP/ni-gone"
if client "$TMP/out2c" --cmdline 'pullboot.dhcp-timeout=15 pullboot.link-timeout=1' --netinfo "$TMP/ni-gone" \
        --resolv-conf "$TMP/resolv2c"; then
        grep -qx 'IFNAME=eth-a' "$TMP/out2c" || fail "unknown MAC: chose $(sed -n 's/^IFNAME=//p' "$TMP/out2c")"
        grep -q 'no interface has the MAC 52:54:00:ff:ff:ff' "$TMP/out2c.err" || fail "unknown MAC: no warning"
        ok "unknown recorded MAC: warned, fell back to eth-a"
else
        fail "unknown MAC: exit $?: $(cat "$TMP/out2c.err")"
fi
ip -n "$CNS" addr flush dev eth-a

# pullboot.iface= overrides the choice.
if client "$TMP/out2d" --cmdline 'pullboot.dhcp-timeout=15 pullboot.iface=eth-b' --netinfo "$TMP/ni-a" \
        --resolv-conf "$TMP/resolv2d"; then
        grep -qx 'IFNAME=eth-b' "$TMP/out2d" && ok "pullboot.iface=eth-b wins over the record" ||
                fail "pullboot.iface=: chose $(sed -n 's/^IFNAME=//p' "$TMP/out2d")"
else
        fail "pullboot.iface=: exit $?: $(cat "$TMP/out2d.err")"
fi
ip -n "$CNS" addr flush dev eth-b

# --- 3. A server that never answers: bounded failure with a clear message ---
for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
PIDS=()
start=$(date +%s.%N)
client "$TMP/out3" --cmdline 'pullboot.dhcp-timeout=3' --netinfo "$TMP/ni-a" --resolv-conf "$TMP/resolv3"
rc=$?
took=$(awk -v a="$(date +%s.%N)" -v b="$start" 'BEGIN { printf "%.2f", a - b }')
[ "$rc" = 1 ] || fail "no answer: exit $rc, expected 1"
grep -q 'no DHCP' "$TMP/out3.err" || fail "no answer: message: $(cat "$TMP/out3.err")"
awk -v t="$took" 'BEGIN { exit !(t < 8) }' || fail "no answer: took ${took}s with a 3 s timeout"
[ -e "$TMP/resolv3" ] && fail "no answer: resolv.conf written anyway"
[ "$rc" = 1 ] && ok "no answer: failed after ${took}s: $(grep "^pullboot:" "$TMP/out3.err" | head -n1)"

# --- 4. Firmware path: the stub's record applied over rtnetlink, no DHCP server at all ---
printf 'mac=52:54:00:bb:00:02\nipv4=10.77.2.15/24\ngateway=10.77.2.1\ndns=10.77.2.53\ndns=10.77.2.54\norigin=dhcp\n' \
        >"$TMP/ni-fw"
start=$(date +%s.%N)
if client "$TMP/out4" --cmdline 'pullboot.net=firmware' --netinfo "$TMP/ni-fw" --resolv-conf "$TMP/resolv4" \
        --ipconfig /nonexistent; then
        took=$(awk -v a="$(date +%s.%N)" -v b="$start" 'BEGIN { printf "%.2f", a - b }')
        grep -qx 'IFNAME=eth-b' "$TMP/out4" || fail "firmware: wrong interface"
        ip -n "$CNS" -4 addr show dev eth-b | grep -q 'inet 10.77.2.15/24' || fail "firmware: address not set"
        ip -n "$CNS" route show default | grep -q 'via 10.77.2.1 dev eth-b' || fail "firmware: no default route"
        printf '# written by pullboot from eth-b\nnameserver 10.77.2.53\nnameserver 10.77.2.54\n' | \
                cmp -s - "$TMP/resolv4" || fail "firmware: resolv.conf: $(cat "$TMP/resolv4")"
        ip -n "$CNS" route get 10.77.9.9 | grep -q 'via 10.77.2.1 dev eth-b src 10.77.2.15' ||
                fail "firmware: off-link addresses are not routed through the gateway"
        ok "firmware: 10.77.2.15/24 via 10.77.2.1 in ${took}s"
else
        fail "firmware: exit $?: $(cat "$TMP/out4.err")"
fi

# Firmware mode without an address in the record: a clear error, nothing configured.
printf 'mac=52:54:00:aa:00:01\n' >"$TMP/ni-noip"
client "$TMP/out5" --cmdline 'pullboot.net=firmware' --netinfo "$TMP/ni-noip" --resolv-conf "$TMP/resolv5"
rc=$?
[ "$rc" = 1 ] && grep -q 'recorded no IPv4 address' "$TMP/out5.err" && ok "firmware without address: refused" ||
        fail "firmware without address: exit $rc: $(cat "$TMP/out5.err")"

# No NIC at all: bounded by pullboot.link-timeout=, with a hint about drivers.
ip netns add "$TAG-e" || fail "cannot create a third namespace"
start=$(date +%s.%N)
ip netns exec "$TAG-e" "$PULLBOOT" net --cmdline 'pullboot.link-timeout=1' --netinfo /dev/null \
        --resolv-conf "$TMP/resolv7" >"$TMP/out7" 2>"$TMP/out7.err"
rc=$?
took=$(awk -v a="$(date +%s.%N)" -v b="$start" 'BEGIN { printf "%.2f", a - b }')
ip netns del "$TAG-e"
[ "$rc" = 1 ] && grep -q 'no Ethernet interface with carrier within 1000 ms (is the NIC driver in the initrd' "$TMP/out7.err" &&
        awk -v t="$took" 'BEGIN { exit !(t < 4) }' && ok "no NIC: failed after ${took}s" ||
        fail "no NIC: exit $rc after ${took}s: $(cat "$TMP/out7.err")"

# Invalid option values are usage errors.
client "$TMP/out6" --cmdline 'pullboot.net=wifi' --netinfo /dev/null
rc=$?
[ "$rc" = 2 ] && grep -q 'pullboot.net=wifi' "$TMP/out6.err" && ok "pullboot.net=wifi: refused" ||
        fail "pullboot.net=wifi: exit $rc: $(cat "$TMP/out6.err")"

[ "$FAILED" = 0 ] || { echo "$FAILED check(s) failed"; exit 1; }
echo "all checks passed"
