#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# `pullboot plan` beside systemd-import-generator (v258 and newer). Unlike test-plan.sh, whose
# expected files are pullboot's own reviewed output, every expectation here is written from
# systemd's source (src/import/import-generator.c, src/basic/proc-cmdline.c,
# src/shared/import-util.c) and names the rule it follows. Each case prints one line per pull:
# "STATUS TARGET URL" (or "STATUS -" without a target) plus the actions, and compares it with the
# line systemd's rule implies.
#
# Usage: test-plan-systemd.sh PULLBOOT
set -u

pb=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
failed=0
n=0

command -v python3 >/dev/null || { echo "SKIP: python3 is needed to read pullboot plan --json"; exit 77; }

summary() {
        python3 -c '
import json, sys
p = json.load(sys.stdin)
for x in p["pulls"]:
    print(x["status"], x["target"] or "-", (x["urls"] or ["-"])[0])
print("actions", p["actions"]["success"], p["actions"]["failure"])
'
}

# case NAME EXPECTED_EXIT EXPECTED_SUMMARY PLAN_ARGS...
case_() {
        name=$1 want_rc=$2 want=$3
        shift 3
        n=$((n + 1))
        "$pb" plan --json "$@" >"$tmp/out.json" 2>"$tmp/err"
        rc=$?
        got=$(summary <"$tmp/out.json")
        if [ "$rc" != "$want_rc" ]; then
                echo "FAIL: $name: exit status $rc, expected $want_rc" >&2
                cat "$tmp/err" >&2
                failed=$((failed + 1))
        fi
        if [ "$got" != "$want" ]; then
                printf 'FAIL: %s:\n--- expected (systemd)\n%s\n--- pullboot\n%s\n' "$name" "$want" "$got" >&2
                failed=$((failed + 1))
        fi
}

o=http://h/boot/image.efi

# 1. Duplicates are keyed by the path the image is installed at: transfer_generate() names the
#    unit systemd-import@<image root>/<LOCAL>.raw.service (raw) or .../<LOCAL>.service (tar) and
#    generator_open_unit_file() refuses a second unit of that name; the first one stays.
case_ dup-same-path 2 "ready /run/machines/m.raw http://h/a.raw
invalid /run/machines/m.raw http://h/b.raw.zst
actions None None" --origin "$o" --cmdline \
        'rd.systemd.pull=raw,machine,verify=no:m:http://h/a.raw rd.systemd.pull=raw,machine,verify=no:m:http://h/b.raw.zst'
#    raw "m" is /run/machines/m.raw, tar "m" is /run/machines/m: two paths, both pulled.
case_ dup-raw-and-tar 0 "ready /run/machines/m.raw http://h/a.raw
ready /run/machines/m http://h/b.tar
actions None None" --origin "$o" --cmdline \
        'rd.systemd.pull=raw,machine,verify=no:m:http://h/a.raw rd.systemd.pull=tar,machine,verify=no:m:http://h/b.tar'
#    tar "m.raw" is /run/machines/m.raw, the raw "m"'s path: refused.
case_ dup-tar-onto-raw 2 "ready /run/machines/m.raw http://h/a.raw
invalid /run/machines/m.raw http://h/b.tar
actions None None" --origin "$o" --cmdline \
        'rd.systemd.pull=raw,machine,verify=no:m:http://h/a.raw rd.systemd.pull=tar,machine,verify=no:m.raw:http://h/b.tar'
#    The same LOCAL in two classes is two image roots: both.
case_ dup-other-class 0 "ready /run/machines/m.raw http://h/a.raw
ready /run/portables/m.raw http://h/b.raw
actions None None" --origin "$o" --cmdline \
        'rd.systemd.pull=raw,machine,verify=no:m:http://h/a.raw rd.systemd.pull=raw,portable,verify=no:m:http://h/b.raw'

# 2. Keys: proc_cmdline_key_streq() treats '-' and '_' as equal.
case_ key-dash 0 "ready /run/machines/m.raw http://h/a.raw
actions reboot poweroff" --origin "$o" --cmdline \
        'rd.systemd.pull=raw,machine,verify=no:m:http://h/a.raw rd.systemd.pull.success-action=reboot rd.systemd.pull.failure-action=poweroff'

# 3. Quoting: proc_cmdline_parse() splits with extract_first_word(EXTRACT_UNQUOTE|EXTRACT_RELAX|
#    EXTRACT_RETAIN_ESCAPE): quotes anywhere in a word group and are removed.
case_ quote-double 0 "ready /run/machines/m.raw http://h/m.raw
actions None None" --origin "$o" --cmdline 'rd.systemd.pull=raw,machine,verify=no:m:"http://h/m.raw"'
case_ quote-single 0 "ready /run/machines/q.raw http://h/q.raw
actions None None" --origin "$o" --cmdline "rd.systemd.pull='raw,machine,verify=no:q:http://h/q.raw'"
case_ quote-whole-word 0 "ready /run/machines/w.raw http://h/w.raw
actions None None" --origin "$o" --cmdline '"rd.systemd.pull=raw,machine,verify=no:w:http://h/w.raw"'
#    An unterminated quote runs to the end of the line (EXTRACT_RELAX): the next word is swallowed.
case_ quote-unterminated 0 "ready /run/machines/u.raw http://h/u.raw
actions None None" --origin "$o" --cmdline 'rd.systemd.pull=raw,machine,verify=no:u:http://h/u.raw x="y rd.systemd.pull=raw,machine,verify=no:v:http://h/v.raw'
#    "--" is an ordinary word outside containers (proc_cmdline_strv_internal() reads the whole
#    /proc/cmdline): what follows it still counts.
case_ after-dashdash 0 "ready /run/machines/d.raw http://h/d.raw
actions None None" --origin "$o" --cmdline '-- rd.systemd.pull=raw,machine,verify=no:d:http://h/d.raw'

# 4. Order: with 'bootorigin' and no StubDeviceURL parse_pull_expression() returns before it
#    checks the URL, the type and the class: skipped, not refused.
case_ bootorigin-no-class-no-origin 0 "skipped - -
actions None None" --origin '' --cmdline 'rd.systemd.pull=raw,bootorigin:m:x.raw'
case_ bootorigin-no-type-no-origin 0 "skipped - -
actions None None" --origin '' --cmdline 'rd.systemd.pull=machine,bootorigin:m:x.raw'
#    With an origin the missing class is refused, as systemd does after deriving the URL.
case_ bootorigin-no-class-origin 2 "invalid - -
actions None None" --origin "$o" --cmdline 'rd.systemd.pull=raw,bootorigin:m:x.raw'
#    LOCAL's validity is checked before bootorigin: refused even without an origin.
case_ bootorigin-bad-local-no-origin 2 "invalid - -
actions None None" --origin '' --cmdline 'rd.systemd.pull=raw,machine,bootorigin:.#m:x.raw'

# 5. LOCAL from the URL: tar_strip_suffixes() strips the first of .tar .tar.gz .tar.bz2 .tar.xz
#    .tar.zst .tgz .tbz2 .txz .tzst that matches; raw_strip_suffixes() strips .xz .gz .bz2 .zst
#    .sysext.raw .confext.raw .raw .qcow2 .img .bin repeatedly until none matches.
case_ tar-suffixes 0 "ready /run/machines/a http://h/a.txz
ready /run/machines/b http://h/b.tbz2
ready /run/machines/c http://h/c.tzst
ready /run/machines/d http://h/d.tar.zst
ready /run/machines/e.tar.lz http://h/e.tar.lz
actions None None" --origin "$o" --cmdline \
        'rd.systemd.pull=tar,machine,verify=no::http://h/a.txz rd.systemd.pull=tar,machine,verify=no::http://h/b.tbz2 rd.systemd.pull=tar,machine,verify=no::http://h/c.tzst rd.systemd.pull=tar,machine,verify=no::http://h/d.tar.zst rd.systemd.pull=tar,machine,verify=no::http://h/e.tar.lz'
case_ raw-suffixes 0 "ready /run/machines/x.raw http://h/x.sysext.raw.zst
ready /run/machines/y.raw http://h/y.raw.img.xz
ready /run/machines/z.raw http://h/z.qcow2.gz
actions None None" --origin "$o" --cmdline \
        'rd.systemd.pull=raw,machine,verify=no::http://h/x.sysext.raw.zst rd.systemd.pull=raw,machine,verify=no::http://h/y.raw.img.xz rd.systemd.pull=raw,machine,verify=no::http://h/z.qcow2.gz'

if [ "$failed" -gt 0 ]; then
        echo "test-plan-systemd: $failed of $n checks failed" >&2
        exit 1
fi
echo "test-plan-systemd: $n cases agree with systemd-import-generator's rules"
