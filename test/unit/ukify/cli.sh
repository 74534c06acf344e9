#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# pullboot-ukify end to end on the command line: UKIs built around Debian's systemd stub and a
# generated tiny PE must list the right sections at the right sizes in objdump, carry exactly the
# payload bytes, be accepted by sbverify, signable by sbsign and verifiable afterwards; inspect
# must report what went in; every failure exits 2 with a clear message and leaves no file behind.
#
# Usage: cli.sh PULLBOOT-UKIFY UKIFY-MKPE [PULLBOOT-STUB]
set -euo pipefail

UKIFY=$1
MKPE=$2
PULLBOOT_STUB=${3:-}
SYSTEMD_STUB=/usr/lib/systemd/boot/efi/linuxx64.efi.stub

for tool in objdump objcopy sbverify sbsign openssl; do
        if ! command -v "$tool" >/dev/null; then
                echo "SKIP: $tool not installed (binutils, sbsigntool, openssl)"
                exit 77
        fi
done

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T"
checks=0

fail() {
        echo "FAIL: $*" >&2
        exit 1
}
ok() {
        checks=$((checks + 1))
}

# A fake bzImage: "MZ", the setup header magic, protocol 2.15 and kernel_version pointing at
# 0x200 + 0x300 = 0x500, where the version string starts with the release.
head -c 8192 /dev/zero > vmlinuz
printf 'MZ' | dd of=vmlinuz conv=notrunc status=none
printf 'HdrS\x0f\x02' | dd of=vmlinuz bs=1 seek=$((0x202)) conv=notrunc status=none
printf '\x00\x03' | dd of=vmlinuz bs=1 seek=$((0x20e)) conv=notrunc status=none
printf '6.1.99-fake (builder@example) #1 SMP\0' | dd of=vmlinuz bs=1 seek=$((0x500)) conv=notrunc status=none
printf 'abcde' > initrd1
printf '0707010' > initrd2
printf 'console=ttyS0 panic=-1\n' > cmdline.txt
printf 'NAME="Pullboot"\nPRETTY_NAME="Pullboot Test OS \\"42\\""\nID=pullboot\n' > os-release

# section NAME FILE: "size fileoffset" (decimal) from objdump -h.
section() {
        local size off
        read -r size off < <(objdump -h "$2" | awk -v n="$1" '$2 == n { print $3, $6 }') || return 0
        echo "$((0x$size)) $((0x$off))"
}
# section_bytes NAME FILE: the section's payload.
section_bytes() {
        local size off
        read -r size off < <(section "$1" "$2")
        tail -c +$((off + 1)) "$2" | head -c "$size"
}
expect_section() {
        local uki=$1 name=$2 want=$3
        cmp -s <(section_bytes "$name" "$uki") "$want" || fail "$uki: $name does not hold the bytes of $want"
        ok
}

# --- a UKI around systemd's stub
if [ -r "$SYSTEMD_STUB" ]; then
        "$UKIFY" build --stub "$SYSTEMD_STUB" --linux vmlinuz --initrd initrd1 --initrd initrd2 \
                --cmdline @cmdline.txt --os-release @os-release --output sd.efi 2>log || { cat log; fail "build around systemd's stub"; }
        ok
        for s in .text .sbat .sdmagic .osrel .cmdline .uname .initrd .linux; do
                [ -n "$(section "$s" sd.efi)" ] || fail "objdump -h does not list $s"
        done
        ok
        printf 'console=ttyS0 panic=-1' > want.cmdline
        printf '6.1.99-fake' > want.uname
        { cat initrd1; printf '\0\0\0'; cat initrd2; } > want.initrd
        expect_section sd.efi .cmdline want.cmdline
        expect_section sd.efi .uname want.uname
        expect_section sd.efi .osrel os-release
        expect_section sd.efi .initrd want.initrd
        expect_section sd.efi .linux vmlinuz
        # The stub's own .sbat is carried over unchanged.
        cmp -s <(section_bytes .sbat sd.efi) <(section_bytes .sbat "$SYSTEMD_STUB") || fail ".sbat changed"
        ok
        # .linux is last and highest; sections do not overlap in memory; SizeOfImage covers all.
        end=0
        last=
        while read -r name size vma; do
                [ $((0x$vma)) -ge "$end" ] || fail "$name overlaps the section before it"
                end=$((0x$vma + 0x$size))
                last=$name
        done < <(objdump -h sd.efi | awk '/^ *[0-9]+ \./ { print $2, $3, $4 }')
        [ "$last" = .linux ] || fail "last section is $last, not .linux"
        soi=$((0x$(objdump -p sd.efi | awk '$1 == "SizeOfImage" { print $2 }')))
        [ "$soi" -ge "$end" ] || fail "SizeOfImage $soi < end of .linux $end"
        [ $((soi % 512)) -eq 0 ] || fail "SizeOfImage $soi not aligned"
        checksum=$(objdump -p sd.efi | awk '$1 == "CheckSum" { print $2 }')
        [ "$checksum" = 00000000 ] || fail "CheckSum not cleared: $checksum"
        ok
        sbverify --list sd.efi >log 2>&1 || { cat log; fail "sbverify --list rejects the UKI"; }
        ok

        json=$("$UKIFY" inspect --json sd.efi)
        for want in '"format":"PE32+"' '"machine":"x86-64"' '"subsystem":10' '"signed":false' \
                '"cmdline":"console=ttyS0 panic=-1"' '"pretty_name":"Pullboot Test OS \"42\""' \
                '"uname":"6.1.99-fake"' "{\"name\":\".initrd\",\"size\":15," \
                "{\"name\":\".linux\",\"size\":8192," '"sbat":"sbat,1,'; do
                case $json in
                *"$want"*) ;;
                *) fail "inspect --json lacks $want: $json" ;;
                esac
        done
        ok
        if command -v python3 >/dev/null; then
                python3 -c 'import json, sys; d = json.load(sys.stdin); assert len(d["sections"]) == 13, d' <<<"$json" \
                        || fail "inspect --json is not valid JSON with 13 sections"
                ok
        fi
        text=$("$UKIFY" inspect sd.efi)
        grep -qx 'cmdline: console=ttyS0 panic=-1' <<<"$text" || fail "inspect: cmdline"
        grep -qx 'os-release: Pullboot Test OS "42"' <<<"$text" || fail "inspect: os-release"
        grep -qx 'uname: 6.1.99-fake' <<<"$text" || fail "inspect: uname"
        ok

        # Sign with a throwaway key and verify.
        openssl req -new -x509 -newkey rsa:2048 -nodes -subj /CN=pullboot-ukify-test/ -days 1 \
                -keyout db.key -out db.crt 2>/dev/null
        sbsign --key db.key --cert db.crt --output sd.signed.efi sd.efi >log 2>&1 || { cat log; fail "sbsign"; }
        sbverify --cert db.crt sd.signed.efi >log 2>&1 || { cat log; fail "sbverify --cert"; }
        ok
        "$UKIFY" inspect --json sd.signed.efi | grep -q '"signed":true' || fail "inspect: signed"
        ok
        # A UKI is no stub.
        "$UKIFY" build --stub sd.signed.efi --linux vmlinuz --output twice.efi 2>log && fail "wrapping a UKI again succeeded"
        grep -q 'already has a .linux section: it is a UKI, not a bare stub' log || { cat log; fail "re-wrap message"; }
        ok

        # A UKI put together with objcopy (the other usual way) reads the same.
        objcopy --add-section .cmdline=want.cmdline --change-section-vma .cmdline=0x30000 \
                --add-section .linux=vmlinuz --change-section-vma .linux=0x40000 "$SYSTEMD_STUB" objcopy.efi
        json=$("$UKIFY" inspect --json objcopy.efi)
        case $json in
        *'{"name":".linux","size":8192,"virtual_address":262144,'*'"cmdline":"console=ttyS0 panic=-1"'*) ;;
        *) fail "inspect of an objcopy-built UKI: $json" ;;
        esac
        ok
else
        echo "note: $SYSTEMD_STUB not installed, systemd stub checks skipped"
fi

# --- a UKI around a tiny generated PE
"$MKPE" tiny.efi
"$UKIFY" build --stub tiny.efi --linux vmlinuz --uname 9.9.9-given --cmdline 'quiet splash=0' --output tiny.uki 2>log \
        || { cat log; fail "build around the tiny PE"; }
[ "$(objdump -h tiny.uki | awk '/^ *[0-9]+ \./ { printf "%s:%s ", $2, $3 }')" = \
  ".text:00000003 .cmdline:0000000e .uname:0000000b .linux:00002000 " ] || fail "tiny UKI sections: $(objdump -h tiny.uki)"
printf '9.9.9-given' > want.uname2
expect_section tiny.uki .uname want.uname2
sbverify --list tiny.uki >/dev/null 2>&1 || fail "sbverify --list rejects the tiny UKI"
if [ -r db.key ]; then
        sbsign --key db.key --cert db.crt --output tiny.signed tiny.uki >/dev/null 2>&1 || fail "sbsign tiny"
        sbverify --cert db.crt tiny.signed >/dev/null 2>&1 || fail "sbverify tiny"
fi
ok

# Section texts come from the image: inspect escapes control characters instead of sending them
# to the terminal, and --json escapes them the JSON way.
"$MKPE" tiny2.efi
"$UKIFY" build --stub tiny2.efi --linux vmlinuz --uname $'9.9\e[2J' --cmdline $'a\tb\nc' --output esc.uki 2>log \
        || { cat log; fail "build with control characters in the texts"; }
text=$("$UKIFY" inspect esc.uki)
grep -qxF 'cmdline: a\x09b\x0ac' <<<"$text" || fail "inspect does not escape .cmdline: $text"
grep -qxF 'uname: 9.9\x1b[2J' <<<"$text" || fail "inspect does not escape .uname: $text"
! grep -q $'\e' <<<"$text" || fail "inspect printed a raw ESC"
"$UKIFY" inspect --json esc.uki | grep -qF '"cmdline":"a\tb\nc","pretty_name":null,"uname":"9.9\u001b[2J"' \
        || fail "inspect --json escapes: $("$UKIFY" inspect --json esc.uki)"
ok

# --- a UKI around pullboot's own stub, when it was built
if [ -n "$PULLBOOT_STUB" ]; then
        "$UKIFY" build --stub "$PULLBOOT_STUB" --linux vmlinuz --initrd initrd1 --cmdline @cmdline.txt \
                --os-release @os-release --output pb.efi 2>log || { cat log; fail "build around $PULLBOOT_STUB"; }
        for s in .text .sbat .osrel .cmdline .uname .initrd .linux; do
                [ -n "$(section "$s" pb.efi)" ] || fail "pullboot stub UKI: objdump -h does not list $s"
        done
        expect_section pb.efi .linux vmlinuz
        expect_section pb.efi .initrd initrd1
        cmp -s <(section_bytes .sbat pb.efi) <(section_bytes .sbat "$PULLBOOT_STUB") || fail ".sbat changed"
        sbverify --list pb.efi >/dev/null 2>&1 || fail "sbverify --list rejects the pullboot stub UKI"
        if [ -r db.key ]; then
                sbsign --key db.key --cert db.crt --output pb.signed pb.efi >/dev/null 2>&1 || fail "sbsign pb"
                sbverify --cert db.crt pb.signed >/dev/null 2>&1 || fail "sbverify pb"
        fi
        ok
fi

# --- failures: exit 2, a message naming the problem, no output file, no temp file
expect_failure() {
        local what=$1 pattern=$2
        shift 2
        rm -f out.efi
        set +e
        "$UKIFY" "$@" 2>log
        rc=$?
        set -e
        [ "$rc" -eq 2 ] || { cat log; fail "$what: exit $rc, expected 2"; }
        grep -q -- "$pattern" log || { cat log; fail "$what: message does not say '$pattern'"; }
        [ ! -e out.efi ] || fail "$what: left out.efi behind"
        ! ls ./*.pbtmp.* >/dev/null 2>&1 || fail "$what: left a temporary file"
        [ "$(wc -l <log)" -le 3 ] || { cat log; fail "$what: too chatty"; }
        ok
}
echo 'not a PE' > notpe
"$MKPE" tight.efi --tight
: > empty
expect_failure "non-PE stub" "not a usable PE image: no MZ signature" build --stub notpe --linux vmlinuz --output out.efi
expect_failure "missing stub" "--stub nonexistent: cannot read it: No such file" build --stub nonexistent --linux vmlinuz --output out.efi
expect_failure "missing kernel" "--linux nonexistent: cannot read it" build --stub tiny.efi --linux nonexistent --output out.efi
expect_failure "missing initrd" "--initrd nonexistent: cannot read it" build --stub tiny.efi --linux vmlinuz --initrd nonexistent --output out.efi
expect_failure "missing cmdline file" "--cmdline nonexistent: cannot read it" build --stub tiny.efi --linux vmlinuz --cmdline @nonexistent --output out.efi
expect_failure "empty initrd" "--initrd is empty" build --stub tiny.efi --linux vmlinuz --initrd empty --output out.efi
expect_failure "no header room" "no room for the new section headers" build --stub tight.efi --linux vmlinuz --output out.efi
expect_failure "missing --output" "needs --stub, --linux and --output" build --stub tiny.efi --linux vmlinuz
expect_failure "unknown verb" "unknown verb 'frobnicate'" frobnicate
expect_failure "inspect non-PE" "notpe: not a usable PE image" inspect notpe
head -c 400 tiny.efi > truncated.efi
expect_failure "truncated stub" "section table extends past the end" build --stub truncated.efi --linux vmlinuz --output out.efi

# A failed build leaves an existing output untouched.
echo precious > out.efi
set +e
"$UKIFY" build --stub notpe --linux vmlinuz --output out.efi 2>/dev/null
set -e
[ "$(cat out.efi)" = precious ] || fail "a failed build changed the existing output"
ok

# Help and version.
"$UKIFY" --help | grep -q 'pullboot-ukify build' || fail "--help"
"$UKIFY" --version | grep -q '^pullboot-ukify ' || fail "--version"
for verb in build inspect; do
        "$UKIFY" $verb --help | grep -q "^Usage: pullboot-ukify $verb" || fail "$verb --help"
        [ "$("$UKIFY" $verb --version)" = "$("$UKIFY" --version)" ] || fail "$verb --version"
done
ok

echo "ukify-cli: $checks checks passed"
