#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# `pullboot plan --json` on the systemd-import-generator(8) examples and the pullboot extensions,
# compared byte for byte with test/unit/plan-cases/NAME.json.
#
# Usage: test-plan.sh PULLBOOT CASES_DIR
# With PLAN_CASES_UPDATE=1 the expected files are (re)written from the current output instead;
# review the diff before committing them.
set -u

pb=$1
cases=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
failed=0
n=0

fail() {
        echo "FAIL: $*" >&2
        failed=$((failed + 1))
}

# check NAME EXPECTED_EXIT ARGS... : runs `pullboot plan --json ARGS`, compares exit status and
# standard output with plan-cases/NAME.json.
check() {
        name=$1
        want_rc=$2
        shift 2
        n=$((n + 1))
        "$pb" plan --json "$@" >"$tmp/$name.out" 2>"$tmp/$name.err"
        rc=$?
        if [ "${PLAN_CASES_UPDATE:-0}" = 1 ]; then
                cp "$tmp/$name.out" "$cases/$name.json"
        fi
        if [ "$rc" != "$want_rc" ]; then
                fail "$name: exit status $rc, expected $want_rc"
                cat "$tmp/$name.err" >&2
        fi
        if ! diff -u "$cases/$name.json" "$tmp/$name.out" >&2; then
                fail "$name: output differs from $cases/$name.json"
        fi
}

# stderr_has NAME TEXT: the last run of NAME printed TEXT on standard error.
stderr_has() {
        if ! grep -qF -- "$2" "$tmp/$1.err"; then
                fail "$1: standard error lacks '$2'"
                cat "$tmp/$1.err" >&2
        fi
}

stderr_empty() {
        if [ -s "$tmp/$1.err" ]; then
                fail "$1: unexpected standard error output"
                cat "$tmp/$1.err" >&2
        fi
}

ex1='systemd.pull=raw,confext::https://example.com/myconfext.raw.gz'
ex2='systemd.pull=tar,sysext,verify=no::https://example.com/mysysext.tar.gz'
ex3='rd.systemd.pull=raw,machine,verify=no,blockdev:image:https://example.com/image.raw.xz root=/dev/disk/by-loop-ref/image.raw-part2'
ex4='rd.systemd.pull=raw,machine,verify=no,blockdev,bootorigin:rootdisk:image.raw.xz root=gpt-auto'
ex5='rd.systemd.pull=tar,machine,verify=no,bootorigin:root:image.tar.xz root=bind:/run/machines/root'
origin='http://example.com/image.efi'

# The five man page examples, in the initrd and on the host. Examples 1 and 2 use the host form
# (no "rd."), so the initrd ignores them; 3-5 use the initrd form, so the host ignores them.
for mode in initrd host; do
        check "example1-$mode" 0 --$mode --origin "$origin" --cmdline "$ex1"
        check "example2-$mode" 0 --$mode --origin "$origin" --cmdline "$ex2"
        check "example3-$mode" 0 --$mode --origin "$origin" --cmdline "$ex3"
        check "example4-$mode" 0 --$mode --origin "$origin" --cmdline "$ex4"
        check "example5-$mode" 0 --$mode --origin "$origin" --cmdline "$ex5"
done
stderr_empty example4-initrd

# The acceptance case: the UKI at http://example.com/dir/image.efi.
check done-criterion 0 --origin http://example.com/dir/image.efi --cmdline "$ex4"

# bootorigin without an origin: skipped, not an error (a local boot with the same initrd).
check bootorigin-no-origin 0 --origin '' --cmdline "$ex4"
check bootorigin-no-origin-tar 0 --origin '' --cmdline "$ex5"
# An origin that is not http(s) makes bootorigin pulls invalid, as in systemd.
check bootorigin-file-origin 2 --origin 'file:///boot/image.efi' --cmdline "$ex4"
stderr_has bootorigin-file-origin "boot origin 'file:///boot/image.efi': not a valid http or https URL"

# The root comes from the pull that runs: here the skipped bootorigin one is passed over.
check root-prefers-ready 0 --origin '' --cmdline \
        'rd.systemd.pull=raw,machine,blockdev,bootorigin:rootdisk: rd.systemd.pull=raw,machine,blockdev:rootdisk:http://10.0.2.2/fallback.raw.xz root=gpt-auto'
# No pull provides the root named: a warning, not an error.
check root-unprovided 0 --origin "$origin" --cmdline \
        'rd.systemd.pull=raw,machine,blockdev::http://h/image.raw root=/dev/disk/by-loop-ref/other.raw-part3 rootfstype=ext4 rootflags=noatime rootflags=discard'

# Empty REMOTE: candidates derived from the UKI's name, best compression first.
check candidates-raw 0 --origin 'https://boot.example.org:8443/os/Fedora-42.EFI?token=x' \
        --cmdline 'rd.systemd.pull=raw,machine,blockdev,bootorigin:rootdisk: root=gpt-auto ro'
check candidates-tar 0 --origin 'http://10.0.2.2:8081/image.efi' \
        --cmdline 'rd.systemd.pull=tar,machine,verify=checksum,bootorigin:root: root=bind:/run/machines/root rw'
check candidates-no-efi 2 --origin 'http://10.0.2.2:8081/vmlinuz' \
        --cmdline 'rd.systemd.pull=raw,machine,bootorigin::'
stderr_has candidates-no-efi "last component does not end in .efi"

# The credential, alone and after the command line; --cmdline @FILE.
check credential 0 --origin "$origin" --credential "$cases/import.pull" --cmdline "$ex4"
printf '%s\n' "$ex3 rd.systemd.pull.success_action=none rd.systemd.pull.failure_action=reboot" >"$tmp/cmdline"
check cmdline-file 0 --origin '' --cmdline "@$tmp/cmdline"
mkdir -p "$tmp/creds"
cp "$cases/import.pull" "$tmp/creds/import.pull"
n=$((n + 1))
if ! CREDENTIALS_DIRECTORY="$tmp/creds" "$pb" plan --json --origin "$origin" --cmdline "$ex4" >"$tmp/credentials-directory.out" 2>&1 ||
   ! diff -u "$cases/credential.json" "$tmp/credentials-directory.out" >&2; then
        fail "credentials-directory: \$CREDENTIALS_DIRECTORY/import.pull not read like --credential"
fi

# Options: pins, runtime=, warnings for what systemd ignores.
check options 0 --origin '' --cmdline \
        'rd.systemd.pull=raw,portable,ro,runtime=no,verify=sha256:00112233445566778899AABBCCDDEEFF00112233445566778899aabbccddeeff:p:file:///srv/p.raw.zst rd.systemd.pull=tar,confext,frobnicate,verify=maybe,runtime=perhaps,rw::https://h/c.tar.zst rd.systemd.pull'

# Malformed expressions: exit 2, the message names the option, the other pulls still show.
check bad-blockdev-tar 2 --origin "$origin" --cmdline "rd.systemd.pull=tar,machine,blockdev,bootorigin:root:image.tar.xz $ex4"
stderr_has bad-blockdev-tar "option 'blockdev': only supported for raw images"
check bad-class-twice 2 --origin "$origin" --cmdline 'rd.systemd.pull=raw,machine,sysext::https://h/x.raw'
stderr_has bad-class-twice "option 'sysext': image class given twice"
check bad-no-type 2 --origin "$origin" --cmdline 'rd.systemd.pull=machine::https://h/x.raw'
stderr_has bad-no-type "no image type"
check bad-sha256 2 --origin "$origin" --cmdline 'rd.systemd.pull=raw,machine,verify=sha256:1234::https://h/x.raw'
stderr_has bad-sha256 "option 'verify=sha256:1234': the digest must be 64 hexadecimal digits"
check bad-remote 2 --origin "$origin" --cmdline 'rd.systemd.pull=raw,machine::ftp://h/x.raw'
stderr_has bad-remote "REMOTE 'ftp://h/x.raw': not a valid http, https or file URL"
check bad-root-action 2 --origin "$origin" --cmdline "$ex4 root=sda1 rd.systemd.pull.failure_action=explode"
stderr_has bad-root-action "rd.systemd.pull.failure_action=explode: not an emergency action"
stderr_has bad-root-action "root="
check bad-credential 2 --origin "$origin" --credential "$cases/bad.pull" --cmdline ''
stderr_has bad-credential "pull 1 (import.pull line 2): option 'sysext': image class given twice"
# A credential pull for a name the command line already pulls (same class): refused, as
# systemd-import-generator refuses the second unit of a name; another class is another image.
check duplicate-local 2 --origin "$origin" --credential "$cases/duplicate.pull" --cmdline "$ex4"
stderr_has duplicate-local "pull 1 (import.pull line 2): target '/run/machines/rootdisk.raw' is already pulled by pull 0"

# pullboot.lazy= (issue 14): which pulls are served from their URL instead of downloaded.
check lazy-fill 0 --origin "$origin" --cmdline "$ex4 pullboot.lazy=fill"
check lazy-refused 0 --origin "$origin" --cmdline \
        'rd.systemd.pull=raw,machine,verify=checksum,blockdev,bootorigin:rootdisk:image.raw rd.systemd.pull=tar,machine,verify=no::https://h/t.tar rd.systemd.pull=raw,machine,verify=no,blockdev:f:file:///srv/f.raw root=gpt-auto rd.pullboot.lazy'
# Lazy and verified (issue 14): a dm-verity DDI whose root hash is trusted from roothash= on the
# command line, or (verify=checksum|signature) from IMAGE.roothash in the verified list; verify=sha256
# without roothash=, a malformed roothash= and a verified non-root pull are downloaded whole; with
# verify=no, roothash= still puts the root behind dm-verity.
rh=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
check lazy-verity-cmdline 0 --origin "$origin" --cmdline \
        "rd.systemd.pull=raw,machine,verify=sha256:$rh,blockdev,bootorigin:rootdisk:image.raw root=gpt-auto pullboot.lazy=yes roothash=$rh"
check lazy-verity-sidecar 0 --origin "$origin" --cmdline \
        'rd.systemd.pull=raw,machine,verify=signature,blockdev,bootorigin:rootdisk:image.raw rd.systemd.pull=raw,machine,verify=checksum,blockdev:other:https://h/o.raw root=gpt-auto pullboot.lazy=fill'
check lazy-verity-refused 0 --origin "$origin" --cmdline \
        "rd.systemd.pull=raw,machine,verify=sha256:$rh,blockdev,bootorigin:rootdisk:image.raw root=gpt-auto pullboot.lazy=yes roothash=xyz"
check lazy-verity-verify-no 0 --origin "$origin" --cmdline \
        "rd.systemd.pull=raw,machine,verify=no,blockdev,bootorigin:rootdisk:image.raw root=gpt-auto pullboot.lazy=yes roothash=$rh"
check lazy-verity-no-roothash 0 --origin "$origin" --cmdline \
        "rd.systemd.pull=raw,machine,verify=sha256:$rh,blockdev,bootorigin:rootdisk:image.raw root=gpt-auto pullboot.lazy=yes"
# Without pullboot.lazy= (the default): a verified root is lazy with roothash= (no list needed),
# a second verified pull is not, a verify=no raw blockdev pull is, a tar pull gets no word, and
# pullboot.lazy=no turns it all off.
check lazy-default 0 --origin "$origin" --cmdline \
        "rd.systemd.pull=raw,machine,verify=checksum,blockdev,bootorigin:rootdisk:image.raw rd.systemd.pull=raw,machine,verify=checksum,blockdev:other:https://h/o.raw rd.systemd.pull=raw,machine,verify=no,blockdev:scratch:https://h/s.raw rd.systemd.pull=tar,machine,verify=no::https://h/t.tar root=gpt-auto roothash=$rh"
check lazy-default-off 0 --origin "$origin" --cmdline \
        "rd.systemd.pull=raw,machine,verify=no,blockdev,bootorigin:rootdisk:image.raw root=gpt-auto roothash=$rh pullboot.lazy=no"
check bad-lazy 2 --origin "$origin" --cmdline "$ex4 pullboot.lazy=maybe"
stderr_has bad-lazy "pullboot.lazy=maybe: expected yes, fill or no"

# Usage errors.
n=$((n + 1))
"$pb" plan --frobnicate >/dev/null 2>"$tmp/usage.err"
[ $? = 2 ] || fail "unknown option: exit status is not 2"
"$pb" plan --origin "$origin" --cmdline "@$tmp/does-not-exist" >/dev/null 2>"$tmp/nofile.err"
[ $? = 2 ] || fail "missing --cmdline file: exit status is not 2"
grep -qF "does-not-exist" "$tmp/nofile.err" || fail "missing --cmdline file: path not named"
"$pb" plan --help >/dev/null || fail "--help failed"

# The text form carries the same decisions.
n=$((n + 1))
"$pb" plan --origin http://example.com/dir/image.efi --cmdline "$ex4" >"$tmp/text.out" 2>&1 ||
        fail "text: exit status $?"
for want in "url:         http://example.com/dir/image.raw.xz" "local:       rootdisk" \
            "target:      /run/machines/rootdisk.raw" "blockdev:    yes" "root:          gpt-auto"; do
        grep -qF "$want" "$tmp/text.out" || fail "text: lacks '$want'"
done

# The origin from EFI variables, through libefivar's $EFIVARFS_PATH: StubDeviceURL first, then
# LoaderDeviceURL. Variable files are 4 bytes of attributes and UTF-16LE text with a NUL.
utf16() {
        printf '\006\000\000\000'
        printf '%s' "$1" | sed 's/./&\n/g' | while IFS= read -r c; do
                [ -n "$c" ] && printf '%s\000' "$c"
        done
        printf '\000\000'
}
guid=4a67b082-0a4c-41cf-b6c7-440b29bb8c4f
mkdir -p "$tmp/efivars"
utf16 http://example.com/dir/image.efi >"$tmp/efivars/LoaderDeviceURL-$guid"
export EFIVARFS_PATH="$tmp/efivars/"
check efivars-loader 0 --cmdline "$ex4"
utf16 http://stub.example.com/image.efi >"$tmp/efivars/StubDeviceURL-$guid"
check efivars-stub 0 --cmdline "$ex4"
# A StubDeviceURL that is not UTF-16 (odd length): reported, and planned as no origin.
printf '\006\000\000\000h\000t' >"$tmp/efivars/StubDeviceURL-$guid"
check efivars-corrupt 0 --cmdline "$ex4"
stderr_has efivars-corrupt "cannot read the boot origin from EFI variables, assuming none"
# A non-volatile StubDeviceURL (attributes 0x7: root of an earlier boot could have planted it,
# this boot's stub did not write it) is ignored with a warning naming it; the volatile
# LoaderDeviceURL is used. A non-volatile LoaderDeviceURL alone gives no origin at all.
utf16 http://planted.example.com/image.efi | { printf '\007'; tail -c +2; } >"$tmp/efivars/StubDeviceURL-$guid"
check efivars-planted 0 --cmdline "$ex4"
stderr_has efivars-planted "ignoring EFI variable StubDeviceURL: its attributes 0x7 are not 0x6"
utf16 http://example.com/dir/image.efi | { printf '\007'; tail -c +2; } >"$tmp/efivars/LoaderDeviceURL-$guid"
check efivars-planted-all 0 --cmdline "$ex4"
stderr_has efivars-planted-all "ignoring EFI variable LoaderDeviceURL"
rm -f "$tmp/efivars/StubDeviceURL-$guid" "$tmp/efivars/LoaderDeviceURL-$guid"
# No EFI variables at all: no origin, no complaint.
export EFIVARFS_PATH="$tmp/no-such-dir/"
check efivars-none 0 --cmdline "$ex4"
stderr_empty efivars-none
unset EFIVARFS_PATH

# The image store (issue 13): a disk partition, made only when blank and asked to; malformed
# values and store-format= without a disk store are errors naming the word.
check store-disk 0 --origin "$origin" --cmdline "$ex4 rd.pullboot.store=PARTLABEL=pb-store pullboot.store-format=yes"
check store-tmpfs 0 --origin "$origin" --cmdline "$ex4 pullboot.store=PARTLABEL=x pullboot.store=tmpfs"
check store-bad 2 --origin "$origin" --cmdline "$ex4 pullboot.store=bind:/x"
stderr_has store-bad "'pullboot.store=bind:/x': pullboot.store= names a partition"
check store-format-alone 2 --origin "$origin" --cmdline "$ex4 pullboot.store-format=yes"
stderr_has store-format-alone "pullboot.store-format=yes formats the partition pullboot.store= names; there is none"
check store-format-bad 2 --origin "$origin" --cmdline "$ex4 pullboot.store=/dev/vdb pullboot.store-format=maybe"
"$pb" plan --origin "$origin" --cmdline "$ex4 pullboot.store=PARTUUID=0fc63daf-8483-4772-8e79-3d69d8477de4" \
        >"$tmp/store-text.out" 2>&1
grep -q '^store:         disk on /run/pullboot/store' "$tmp/store-text.out" &&
        grep -q '^  device:      PARTUUID=0fc63daf-8483-4772-8e79-3d69d8477de4$' "$tmp/store-text.out" ||
        fail "store-text: the text plan does not show the disk store: $(cat "$tmp/store-text.out")"

echo "$n checks, $failed failed"
[ "$failed" = 0 ]
