#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# pullboot-generator on fixed inputs into temporary directories: which units it writes, what they
# say (ExecStart words, dependencies, actions, sysroot.mount), that systemd-analyze verify accepts
# them, when it writes nothing (outside an initrd, next to systemd >= 258 with its own import
# generator), and the --script form run against a stand-in agent.
#
# Usage: test-generator.sh PULLBOOT
set -u

pb=$(realpath "${1:?usage: test-generator.sh PULLBOOT}")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
failed=0
n=0
fail() { echo "FAIL: $*" >&2; failed=$((failed + 1)); }
ok() { n=$((n + 1)); echo "ok: $*"; }

command -v systemd-analyze >/dev/null || { echo "SKIP: systemd-analyze is not installed (Debian package systemd)"; exit 77; }

origin=http://10.0.2.2:8080/boot/uki.efi
raw="rd.systemd.pull=raw,machine,blockdev,bootorigin,verify=no:rootdisk:image.raw.xz"

# gen NAME ARGS...: runs the generator (as in an initrd) into $tmp/NAME/{normal,early,late}.
gen() {
        local name=$1
        shift
        mkdir -p "$tmp/$name/normal" "$tmp/$name/early" "$tmp/$name/late"
        SYSTEMD_IN_INITRD=${IN_INITRD:-1} "$pb" generator --root "$tmp/emptyroot" --pullboot "$pb" "$@" \
                "$tmp/$name/normal" "$tmp/$name/early" "$tmp/$name/late" >"$tmp/$name.out" 2>"$tmp/$name.err"
}

# has NAME FILE LINE: FILE (below $tmp/NAME) has exactly this line.
has() {
        grep -qxF -- "$3" "$tmp/$1/$2" 2>/dev/null || { fail "$1: $2 lacks the line: $3"; cat "$tmp/$1/$2" >&2 2>/dev/null; }
}
hasnt() {
        ! grep -qF -- "$3" "$tmp/$1/$2" 2>/dev/null || fail "$1: $2 has: $3"
}

# verify NAME: systemd-analyze verify accepts every unit written, with nothing on stderr.
verify() {
        local units
        units=$(cd "$tmp/$1" && find normal early -type f \( -name '*.service' -o -name '*.mount' \) | sort)
        if ! (cd "$tmp/$1" && SYSTEMD_UNIT_PATH="$tmp/$1/early:$tmp/$1/normal:" \
                systemd-analyze verify --man=no $units) >"$tmp/$1.verify" 2>&1 || [ -s "$tmp/$1.verify" ]; then
                fail "$1: systemd-analyze verify: $(cat "$tmp/$1.verify")"
        else
                ok "$1: systemd-analyze verify accepts $(echo $units)"
        fi
}

mkdir -p "$tmp/emptyroot"

# 1. raw + gpt-auto from the boot origin, with a failure action: pull, attach, root device, sysroot.
gen gptauto --origin "$origin" --cmdline "root=gpt-auto $raw rd.systemd.pull.failure_action=poweroff" ||
        fail "gptauto: exit $?: $(cat "$tmp/gptauto.err")"
u=normal/pullboot-pull-0.service
has gptauto $u "ExecStart=\"$pb\" \"pull\" \"--progress=plain\" \"--type=raw\" \"--verify=no\" \"http://10.0.2.2:8080/boot/image.raw.xz\" \"/run/machines/rootdisk.raw\""
has gptauto $u "Wants=network-online.target"
has gptauto $u "After=network-online.target"
has gptauto $u "FailureAction=poweroff"
has gptauto $u "StandardOutput=journal+console"
hasnt gptauto $u "SuccessAction="
[ "$(readlink "$tmp/gptauto/normal/initrd.target.wants/pullboot-pull-0.service")" = ../pullboot-pull-0.service ] ||
        fail "gptauto: initrd.target does not want pullboot-pull-0.service"
u=normal/pullboot-attach-0.service
has gptauto $u "ExecStart=\"$pb\" \"attach\" \"/run/machines/rootdisk.raw\""
# With a failure action the chain is Wants=, so the action is not preempted by emergency.target.
has gptauto $u "Wants=pullboot-pull-0.service"
u=normal/pullboot-root-device.service
has gptauto $u "Wants=pullboot-attach-0.service"
has gptauto $u "ExecStart=\"$pb\" root-device --link /run/pullboot/root-device"
u=early/sysroot.mount
has gptauto $u "What=/run/pullboot/root-device"
has gptauto $u "Where=/sysroot"
has gptauto $u "Wants=pullboot-root-device.service"
has gptauto $u "Before=initrd-root-fs.target"
[ "$(readlink "$tmp/gptauto/early/initrd-root-fs.target.requires/sysroot.mount")" = ../sysroot.mount ] ||
        fail "gptauto: initrd-root-fs.target does not require sysroot.mount"
[ ! -e "$tmp/gptauto/normal/sysroot.mount" ] || fail "gptauto: sysroot.mount in the normal directory"
[ -z "$(ls -A "$tmp/gptauto/late")" ] || fail "gptauto: something in the late directory"
ok "gptauto: pull, attach, root-device and sysroot.mount written"
verify gptauto

# 2. tar + bind:, a success action, rootfstype=/rootflags= ignored for a bind mount type.
gen bind --origin "" --cmdline "root=bind:/run/machines/demo rootflags=noatime ro rd.systemd.pull=tar,machine,verify=checksum:demo:http://10.0.2.2:8080/demo.tar.zst rd.systemd.pull.success_action=none" ||
        fail "bind: exit $?: $(cat "$tmp/bind.err")"
has bind normal/pullboot-pull-0.service "ExecStart=\"$pb\" \"pull\" \"--progress=plain\" \"--type=tar\" \"--verify=checksum\" \"http://10.0.2.2:8080/demo.tar.zst\" \"/run/machines/demo\""
has bind normal/pullboot-pull-0.service "SuccessAction=none"
hasnt bind normal/pullboot-pull-0.service "FailureAction="
has bind early/sysroot.mount "What=/run/machines/demo"
has bind early/sysroot.mount "Options=bind,noatime,ro"
has bind early/sysroot.mount "Requires=pullboot-pull-0.service"
hasnt bind early/sysroot.mount "Type="
[ ! -e "$tmp/bind/normal/pullboot-attach-0.service" ] && [ ! -e "$tmp/bind/normal/pullboot-root-device.service" ] ||
        fail "bind: a tar image got an attach or root-device unit"
ok "bind: tar pull and a bind sysroot.mount"
verify bind

# 3. A URL with '%' and '$' and a pinned digest: specifiers and variables are escaped.
sha=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
gen quoting --origin "" --cmdline "rd.systemd.pull=raw,sysext,ro,verify=sha256:$sha:ext:http://h/a%20b\$x.raw root=/dev/vda1" ||
        fail "quoting: exit $?: $(cat "$tmp/quoting.err")"
has quoting normal/pullboot-pull-0.service "ExecStart=\"$pb\" \"pull\" \"--progress=plain\" \"--type=raw\" \"--verify=sha256:$sha\" \"--ro\" \"http://h/a%%20b\$\$x.raw\" \"/run/extensions/ext.raw\""
[ ! -e "$tmp/quoting/early/sysroot.mount" ] || fail "quoting: sysroot.mount for a root no pull provides"
verify quoting

# 4. file:// needs no network; credential source.
printf '# a comment\nraw,machine,verify=no:local:file:///run/images/local.raw\n' >"$tmp/cred"
gen file --origin "" --credential "$tmp/cred" --cmdline "quiet" || fail "file: exit $?: $(cat "$tmp/file.err")"
hasnt file normal/pullboot-pull-0.service "network-online.target"
has file normal/pullboot-pull-0.service "SourcePath=/run/credentials/@system/import.pull"
ok "file: no network for file:// and the credential named as the source"
verify file

# 4b. A control character in a URL never reaches a unit (a newline there would start a new line,
#     i.e. a directive of the attacker's choosing): the plan refuses the expression.
printf 'raw,machine,verify=no:x:http://h/a\001b.raw\n' >"$tmp/cred-ctl"
gen ctl --origin "" --credential "$tmp/cred-ctl" --cmdline "quiet" || fail "ctl: exit $?"
[ ! -e "$tmp/ctl/normal/pullboot-pull-0.service" ] && grep -q 'not a valid http, https or file URL' "$tmp/ctl.err" &&
        ok "ctl: an expression with a control character is ignored with a warning" ||
        fail "ctl: a unit was written or no warning: $(cat "$tmp/ctl.err")"

# 5. Not in an initrd: nothing at all.
IN_INITRD=0 gen host --origin "$origin" --cmdline "root=gpt-auto $raw" || fail "host: exit $?"
[ "$(find "$tmp/host" -mindepth 2 | wc -l)" = 0 ] &&
        ok "host: outside an initrd nothing is written" || fail "host: units written outside an initrd"
rm -f "$tmp/emptyroot/etc/initrd-release"
mkdir -p "$tmp/initrdroot/etc" && : >"$tmp/initrdroot/etc/initrd-release"
mkdir -p "$tmp/release/normal" "$tmp/release/early" "$tmp/release/late"
env -u SYSTEMD_IN_INITRD "$pb" generator --root "$tmp/initrdroot" --pullboot "$pb" --origin "$origin" \
        --cmdline "root=gpt-auto $raw" "$tmp/release/normal" "$tmp/release/early" "$tmp/release/late" 2>"$tmp/release.err"
[ -e "$tmp/release/normal/pullboot-pull-0.service" ] && ok "etc/initrd-release counts as an initrd" ||
        fail "with etc/initrd-release and no \$SYSTEMD_IN_INITRD no units were written: $(cat "$tmp/release.err")"

# 6. systemd 258 with systemd-import-generator pulls by itself; 257 does not.
for v in 258 257; do
        r=$tmp/sd$v
        mkdir -p "$r/usr/lib/systemd/system-generators" "$r/usr/lib/x86_64-linux-gnu/systemd"
        : >"$r/usr/lib/systemd/system-generators/systemd-import-generator"
        : >"$r/usr/lib/x86_64-linux-gnu/systemd/libsystemd-shared-$v.so"
        mkdir -p "$tmp/gen$v/normal" "$tmp/gen$v/early" "$tmp/gen$v/late"
        SYSTEMD_IN_INITRD=1 "$pb" generator --root "$r" --pullboot "$pb" --origin "$origin" --cmdline "root=gpt-auto $raw" \
                "$tmp/gen$v/normal" "$tmp/gen$v/early" "$tmp/gen$v/late" 2>"$tmp/gen$v.err" || fail "systemd $v: exit $?"
done
[ -z "$(ls -A "$tmp/gen258/normal")" ] && grep -q 'systemd 258 has its own systemd-import-generator' "$tmp/gen258.err" &&
        ok "systemd 258 with its import generator: left alone" || fail "systemd 258: units written or no message: $(cat "$tmp/gen258.err")"
[ -e "$tmp/gen257/normal/pullboot-pull-0.service" ] && ok "systemd 257: units written" || fail "systemd 257: no units"

# 7. An invalid action is not written into units (the plan refuses it, the unit would not parse).
gen badaction --origin "$origin" --cmdline "root=gpt-auto $raw rd.systemd.pull.failure_action=explode" ||
        fail "badaction: exit $?"
hasnt badaction normal/pullboot-pull-0.service "FailureAction="
grep -q 'failure_action=explode: not an emergency action' "$tmp/badaction.err" &&
        ok "badaction: refused with a message, units without it" || fail "badaction: no message: $(cat "$tmp/badaction.err")"

# 8. Usage errors.
"$pb" generator "$tmp/x" "$tmp/y" >/dev/null 2>&1
[ $? = 2 ] && ok "two directories: usage error" || fail "two directories: not a usage error"
"$pb" generator --script "$tmp/x" >/dev/null 2>&1
[ $? = 2 ] && ok "--script with a directory: usage error" || fail "--script with a directory: not a usage error"

# 8b. root-device refuses a root= without a block device.
for r in bind:/run/machines/x tmpfs; do
        "$pb" root-device --cmdline "root=$r" >/dev/null 2>"$tmp/rd.err"
        rc=$?
        [ "$rc" = 2 ] && grep -q 'names no block device' "$tmp/rd.err" && ok "root-device root=$r: usage error" ||
                fail "root-device root=$r: exit $rc: $(cat "$tmp/rd.err")"
done

# 9. --script against a stand-in agent: the steps run in order with their words; a failing step
#    calls pullboot_failed and stops.
cat >"$tmp/fake-pullboot" <<EOF
#!/bin/sh
printf '%s\n' "\$*" >>"$tmp/calls"
[ "\$1" != attach ] || [ -z "\${FAKE_FAIL_ATTACH:-}" ] || exit 1
EOF
chmod +x "$tmp/fake-pullboot"
"$pb" generator --script --pullboot "$tmp/fake-pullboot" --origin "$origin" \
        --cmdline "root=gpt-auto $raw rd.systemd.pull.failure_action=poweroff" >"$tmp/script.sh" 2>"$tmp/script.err" ||
        fail "script: exit $?: $(cat "$tmp/script.err")"
run_script() {
        : >"$tmp/calls"
        sh -c 'pullboot_failed() { echo "FAILED: $1"; }; run() { . "$1"; }; run "$1" && echo "root pulled: $PULLBOOT_ROOT_PULLED action: $PULLBOOT_FAILURE_ACTION"' \
                sh "$tmp/script.sh" >"$tmp/script.run" 2>&1
}
run_script
printf 'pull --progress=plain --type=raw --verify=no http://10.0.2.2:8080/boot/image.raw.xz /run/machines/rootdisk.raw\nattach /run/machines/rootdisk.raw\n' >"$tmp/calls.want"
diff -u "$tmp/calls.want" "$tmp/calls" >&2 && grep -qx 'root pulled: 1 action: poweroff' "$tmp/script.run" &&
        ok "script: pull then attach, root pulled, action poweroff" || fail "script: $(cat "$tmp/script.run")"
FAKE_FAIL_ATTACH=1 run_script
grep -qx 'FAILED: pull 0: cannot attach /run/machines/rootdisk.raw to a loop device' "$tmp/script.run" &&
        ! grep -q 'root pulled' "$tmp/script.run" && ok "script: a failing step calls pullboot_failed and stops" ||
        fail "script failure: $(cat "$tmp/script.run")"

[ "$failed" = 0 ] || { echo "$failed check(s) failed"; exit 1; }
echo "all $n checks passed"
